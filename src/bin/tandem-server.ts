#!/usr/bin/env -S node --single-threaded-gc --max-semi-space-size=4
// tandem-server: the Redis-compatible server. Accepts redis-server's command line:
//   tandem-server [/path/to/redis.conf] [--name value ...] [--sentinel] [-v|--version] [-h|--help]

import { serverMain } from '../server/main';

void serverMain(process.argv.slice(2), false);

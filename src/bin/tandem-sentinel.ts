#!/usr/bin/env node
// tandem-sentinel: Tandem's Sentinel, as redis-sentinel: tandem-sentinel /path/to/sentinel.conf

import { serverMain } from '../server/main';

void serverMain(process.argv.slice(2), true);

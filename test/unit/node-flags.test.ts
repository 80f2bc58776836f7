// tandem-server's V8 flags are written twice (node-flags.ts explains why): in the `#!` line of
// the installed command and in SERVER_NODE_FLAGS for the places that start `node <script>`.
// They must agree, and this node must accept them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { TANDEM_SERVER } from '../helpers/server';
import { SERVER_NODE_FLAGS } from '../../src/server/node-flags';

test("tandem-server's #! line passes SERVER_NODE_FLAGS to node", () => {
  const firstLine = fs.readFileSync(TANDEM_SERVER, 'utf8').split('\n')[0];
  assert.equal(firstLine, ['#!/usr/bin/env -S node', ...SERVER_NODE_FLAGS].join(' '));
});

test('node accepts SERVER_NODE_FLAGS', () => {
  const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.exit(7)'], { encoding: 'utf8' });
  assert.equal(r.status, 7, r.stderr);
});

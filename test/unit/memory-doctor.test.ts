// MEMORY DOCTOR's verdicts for given memory figures: empty below 5 MB, each issue Redis would
// report when its threshold is passed, and the all-clear otherwise.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { doctorReport } from '../../src/commands/memory';
import type { MemoryOverhead } from '../../src/server/info';

const MB = 1024 * 1024;

function figures(over: Partial<MemoryOverhead>): MemoryOverhead {
  return {
    used: 50 * MB, peak: 50 * MB, startup: 5 * MB, rss: 90 * MB, active: 60 * MB, notCountedForEvict: 0,
    clientsNormal: 10 * 20 * 1024, clientsReplicas: 0, normalClientCount: 10, replicaCount: 0,
    dbs: [], keys: 1000, overhead: 6 * MB, dataset: 44 * MB, netUsed: 45 * MB, ...over,
  };
}

test('under 5 MB in use beyond startup the doctor declines to judge', () => {
  assert.match(doctorReport(figures({ used: 14 * MB, netUsed: 4 * MB, peak: 40 * MB })), /^Hi Sam, this instance is empty/);
});

test('figures within every threshold get the all-clear', () => {
  assert.equal(doctorReport(figures({})), "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
});

test('a past peak over 150%, big client buffers and big replica buffers are each reported', () => {
  const peak = doctorReport(figures({ peak: 76 * MB }));
  assert.ok(peak.startsWith('Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory:'));
  assert.ok(peak.endsWith("I'm here to keep you safe, Sam. I want to help you.\n"));
  assert.equal(doctorReport(figures({ peak: 75 * MB })).startsWith('Hi Sam, I can'), true, 'exactly 150% is not reported');
  assert.match(doctorReport(figures({ clientsNormal: 10 * 201 * 1024 })), / \* Big client buffers:/);
  const replicas = doctorReport(figures({ replicaCount: 2, clientsReplicas: 21 * MB }));
  assert.match(replicas, / \* Big replica buffers:/);
  assert.doesNotMatch(replicas, /Peak memory|Big client/);
});

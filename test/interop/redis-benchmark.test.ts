// The real redis-benchmark against Tandem: SET, GET, INCR and MSET complete with a rate for each
// and no errors, plain and pipelined, and the writes really happened.

import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startServer, ServerProcess } from '../helpers/server';
import { runProgram } from '../helpers/run-program';

let tandem: ServerProcess;
before(async () => {
  tandem = await startServer({ args: ['--save', '', '--appendonly', 'no'] });
});
after(async () => {
  await tandem.stop();
});

/** The final "NAME: N requests per second" figure per test (-q rewrites progress lines with \r). */
function rates(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stdout.split(/[\r\n]/)) {
    const m = /^([A-Z]+(?: \(\d+ keys\))?): ([0-9.]+) requests per second/.exec(line);
    if (m !== null) out.set(m[1], Number(m[2]));
  }
  return out;
}

for (const pipeline of [1, 16]) {
  test(`redis-benchmark -t set,get,incr,mset -q -n 20000${pipeline > 1 ? ` -P ${pipeline}` : ''} completes without errors`, async () => {
    const args = ['-p', String(tandem.port), '-t', 'set,get,incr,mset', '-q', '-n', '20000', '-P', String(pipeline)];
    const r = await runProgram('redis-benchmark', args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.doesNotMatch(r.stdout, /ERR|error|WARNING/i);
    const got = rates(r.stdout);
    assert.deepEqual([...got.keys()], ['SET', 'GET', 'INCR', 'MSET (10 keys)']);
    for (const [name, rate] of got) assert.ok(rate > 0, `${name}: ${rate}`);
    const c = await tandem.client();
    assert.equal(await c.call('EXISTS', 'key:__rand_int__', 'counter:__rand_int__'), 2);
    c.close();
  });
}

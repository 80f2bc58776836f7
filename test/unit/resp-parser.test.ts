import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RespParser, ProtocolError } from '../../src/protocol/resp-parser';

function parseAll(p: RespParser): Array<{ argv: string[]; bytes: number }> {
  const out: Array<{ argv: string[]; bytes: number }> = [];
  for (;;) {
    const argv = p.next();
    if (argv === null) return out;
    out.push({ argv, bytes: p.lastCommandBytes });
  }
}

const wire = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\0\xff\r\n\r\n*1\r\n$4\r\nPING\r\nget "a b" \'c\'\r\n', 'latin1');

test('parses multibulk and inline commands with exact byte counts', () => {
  const p = new RespParser();
  p.feed(wire);
  const cmds = parseAll(p);
  assert.deepEqual(cmds.map((c) => c.argv), [['SET', 'k', 'v\0\xff\r\n'], ['PING'], ['get', 'a b', 'c']]);
  assert.deepEqual(cmds.map((c) => c.bytes), [31, 14, 15]);
});

test('a frame split at every byte parses the same', () => {
  for (let cut = 1; cut < wire.length; cut++) {
    const p = new RespParser();
    p.feed(wire.subarray(0, cut));
    const first = parseAll(p);
    p.feed(wire.subarray(cut));
    const all = [...first, ...parseAll(p)];
    assert.equal(all.length, 3, `cut at ${cut}`);
    assert.deepEqual(all[0].argv, ['SET', 'k', 'v\0\xff\r\n']);
    assert.equal(all.reduce((n, c) => n + c.bytes, 0), wire.length);
  }
});

test('a large bulk arriving in many chunks is assembled once', () => {
  const big = 'x'.repeat(1_000_000);
  const frame = Buffer.from(`*2\r\n$4\r\nECHO\r\n$${big.length}\r\n${big}\r\n`, 'latin1');
  const p = new RespParser();
  for (let i = 0; i < frame.length; i += 1000) {
    p.feed(frame.subarray(i, i + 1000));
    if (i + 1000 < frame.length) assert.equal(p.next(), null);
  }
  const argv = p.next();
  assert.ok(argv);
  assert.equal(argv[1].length, big.length);
  assert.equal(p.lastCommandBytes, frame.length);
});

test("protocol errors carry Redis's messages", () => {
  const cases: Array<[string, string]> = [
    ['*abc\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\n$x\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\nfoo\r\n', "Protocol error: expected '$', got 'f'"],
    ['set "a\r\n', 'Protocol error: unbalanced quotes in request'],
    ['*1\r\n$999999999999\r\n', 'Protocol error: invalid bulk length'],
  ];
  for (const [input, msg] of cases) {
    const p = new RespParser();
    p.feed(Buffer.from(input, 'latin1'));
    assert.throws(() => parseAll(p), (e: unknown) => e instanceof ProtocolError && e.message === msg, input);
  }
});

test('random bytes never throw anything but ProtocolError and never hang', () => {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = '*$\r\n0123456789-abc "\'\\x';
  for (let round = 0; round < 2000; round++) {
    const len = Math.floor(rnd() * 60);
    let s = '';
    for (let i = 0; i < len; i++) s += rnd() < 0.8 ? alphabet[Math.floor(rnd() * alphabet.length)] : String.fromCharCode(Math.floor(rnd() * 256));
    const p = new RespParser();
    p.feed(Buffer.from(s, 'latin1'));
    try {
      for (let i = 0; i < 100 && p.next() !== null; i++);
    } catch (e) {
      assert.ok(e instanceof ProtocolError, `unexpected ${String(e)} for ${JSON.stringify(s)}`);
    }
  }
});

test('a whole buffer and the same bytes fed one at a time give the same commands, counts and errors', () => {
  // Fed whole, complete commands take the one-pass path; fed a byte at a time they never do.
  let seed = 987654;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
  const pieces = [
    () => `*3\r\n${bulk('SET')}${bulk('key:' + Math.floor(rnd() * 100))}${bulk('v'.repeat(Math.floor(rnd() * 20)))}`,
    () => `*2\r\n${bulk(pick(['GET', 'get', 'LPOP', 'xyzzy']))}${bulk('\0\xff\r\n')}`,
    () => `*${1 + Math.floor(rnd() * 70)}\r\n` + bulk('x').repeat(Math.floor(rnd() * 70)),
    () => pick(['*0\r\n', '*-1\r\n', '*03\r\n$3\r\nSET\r\n$01\r\na\r\n$1\r\nb\r\n', '*1\r\n$-1\r\n', '*1\r\n$x\r\n', '*2\r\n$3\r\nabc\r\nfoo\r\n']),
    () => pick(['PING\r\n', '\r\n', 'set "a b" c\r\n', '*1\r\n$0000000000000004\r\nPING\r\n', '*100\r\n', '*1\r\n$17000\r\n']),
  ];
  const run = (p: RespParser, chunks: Buffer[]) => {
    const out: string[] = [];
    try {
      for (const chunk of chunks) {
        p.feed(chunk);
        for (let argv = p.next(); argv !== null; argv = p.next()) out.push(`${JSON.stringify(argv)} ${p.lastCommandBytes} ${p.lastWasInline}`);
      }
    } catch (e) {
      out.push(`error: ${(e as Error).message}`);
    }
    return out;
  };
  for (let round = 0; round < 300; round++) {
    let s = '';
    for (let i = Math.floor(rnd() * 8); i >= 0; i--) s += pick(pieces)();
    const bytes = Buffer.from(s, 'latin1');
    for (const authenticated of [true, false]) {
      const whole = new RespParser();
      const single = new RespParser();
      whole.authenticated = single.authenticated = authenticated;
      const oneByOne = [...bytes].map((b) => Buffer.from([b]));
      assert.deepEqual(run(whole, [bytes]), run(single, oneByOne), JSON.stringify(s));
    }
  }
});

test("arguments equal to the previous command's are reused, and ones that differ in any byte are not", () => {
  const long = 'k'.repeat(70);
  const commands = [
    ['HSET', 'h:1', 'field', 'v1'],
    ['HSET', 'h:1', 'field', 'v1'],
    ['HSET', 'x:1', 'fiald', 'v1'], // same lengths and last bytes, other bytes differ
    ['HSET', 'x:1', 'fiald', 'v2', 'f2', 'v2'],
    ['HSET', long, 'field', 'v2'],
    ['HSET', long.slice(1) + 'j', 'field', ''],
    ['hset', 'x:1', '', ''],
  ];
  const p = new RespParser();
  p.feed(Buffer.from(commands.map((argv) => `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')).join(''), 'latin1'));
  assert.deepEqual(parseAll(p).map((c) => c.argv), commands);
});

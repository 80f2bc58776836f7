// tandem-cli's reply decoding and printing against what the real redis-cli 7.0.15 printed for the
// same wire bytes (captured from a real redis-server, on a terminal via `script -qc` and piped),
// plus its command-line parsing.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatReply } from '../../src/cli/format';
import { ReplyReader } from '../../src/protocol/reply-reader';
import { parseCliArgs, CliUsageError } from '../../src/cli/options';
import { isSensitive } from '../../src/cli/repl';
import { helpEntries, helpText } from '../../src/cli/help';

interface Case {
  what: string;
  wire: string;
  tty: string;
  raw: string;
}

const CASES: Case[] = [
  { what: 'status', wire: '+PONG\r\n', tty: 'PONG\n', raw: 'PONG\n' },
  { what: 'bulk string with UTF-8 bytes', wire: '$12\r\nhello w\xc3\xb6rld\r\n', tty: '"hello w\\xc3\\xb6rld"\n', raw: 'hello w\xc3\xb6rld\n' },
  { what: 'nil', wire: '$-1\r\n', tty: '(nil)\n', raw: '\n' },
  { what: 'RESP3 null', wire: '_\r\n', tty: '(nil)\n', raw: '\n' },
  { what: 'integer', wire: ':1\r\n', tty: '(integer) 1\n', raw: '1\n' },
  {
    what: 'error',
    wire: "-ERR unknown command 'foo', with args beginning with: 'bar' \r\n",
    tty: "(error) ERR unknown command 'foo', with args beginning with: 'bar' \n",
    raw: "ERR unknown command 'foo', with args beginning with: 'bar' \n\n",
  },
  {
    what: 'array of strings needing escapes',
    wire: '*5\r\n$1\r\na\r\n$3\r\nb c\r\n$3\r\nq"\\\r\n$2\r\n\x01\n\r\n$0\r\n\r\n',
    tty: '1) "a"\n2) "b c"\n3) "q\\"\\\\"\n4) "\\x01\\n"\n5) ""\n',
    raw: 'a\nb c\nq"\\\n\x01\n\n\n',
  },
  {
    what: 'indexes right-aligned to the widest',
    wire: '*11\r\n' + Array.from({ length: 11 }, (_, i) => `$${String(i + 1).length}\r\n${i + 1}\r\n`).join(''),
    tty: Array.from({ length: 11 }, (_, i) => `${String(i + 1).padStart(2)}) "${i + 1}"\n`).join(''),
    raw: Array.from({ length: 11 }, (_, i) => `${i + 1}\n`).join(''),
  },
  { what: 'empty array', wire: '*0\r\n', tty: '(empty array)\n', raw: '\n' },
  {
    what: 'nested arrays',
    wire: '*4\r\n:1\r\n*2\r\n:2\r\n*2\r\n:3\r\n$1\r\nx\r\n*0\r\n$1\r\na\r\n',
    tty: '1) (integer) 1\n2) 1) (integer) 2\n   2) 1) (integer) 3\n      2) "x"\n3) (empty array)\n4) "a"\n',
    raw: '1\n2\n3\nx\n\na\n',
  },
  {
    what: 'nested empty and single-item arrays',
    wire: '*3\r\n*0\r\n*2\r\n:1\r\n*0\r\n*1\r\n*1\r\n:1\r\n',
    tty: '1) (empty array)\n2) 1) (integer) 1\n   2) (empty array)\n3) 1) 1) (integer) 1\n',
    raw: '\n1\n\n1\n',
  },
  {
    what: 'RESP3 map',
    wire: '%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n',
    tty: '1# "f1" => "v1"\n2# "f2" => "v2"\n',
    raw: 'f1 v1\nf2 v2\n',
  },
  {
    what: 'RESP3 map with aggregate values (a multi-line value starts on its own line)',
    wire: '%4\r\n$1\r\na\r\n:1\r\n$1\r\nd\r\n*0\r\n$1\r\nc\r\n%1\r\n$1\r\nx\r\n:1\r\n$1\r\nb\r\n*2\r\n:1\r\n:2\r\n',
    tty: '1# "a" => (integer) 1\n2# "d" => (empty array)\n3# "c" => 1# "x" => (integer) 1\n4# "b" => \n   1) (integer) 1\n   2) (integer) 2\n',
    raw: 'a 1\nd \nc x 1\nb 1\n2\n',
  },
  {
    what: 'RESP3 map of integers to booleans',
    wire: '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n',
    tty: '1# (integer) 0 => (false)\n2# (integer) 1 => (true)\n3# (integer) 2 => (false)\n',
    raw: '0 (false)\n1 (true)\n2 (false)\n',
  },
  { what: 'RESP3 set', wire: '~3\r\n:0\r\n:1\r\n:2\r\n', tty: '1~ (integer) 0\n2~ (integer) 1\n3~ (integer) 2\n', raw: '0\n1\n2\n' },
  { what: 'empty set', wire: '~0\r\n', tty: '(empty set)\n', raw: '\n' },
  { what: 'empty map', wire: '%0\r\n', tty: '(empty hash)\n', raw: '\n' },
  { what: 'double', wire: ',3.141\r\n', tty: '(double) 3.141\n', raw: '3.141\n' },
  { what: 'true', wire: '#t\r\n', tty: '(true)\n', raw: '(true)\n' },
  { what: 'false', wire: '#f\r\n', tty: '(false)\n', raw: '(false)\n' },
  {
    what: 'verbatim string (format prefix hidden, not quoted)',
    wire: '=29\r\ntxt:This is a verbatim\nstring\r\n',
    tty: 'This is a verbatim\nstring\n',
    raw: 'This is a verbatim\nstring\n',
  },
];

function decode(wire: string) {
  const reader = new ReplyReader();
  reader.feed(Buffer.from(wire, 'latin1'));
  const r = reader.next();
  assert.ok(r !== null, 'a complete reply');
  assert.equal(reader.next(), null, 'nothing left over');
  return r;
}

for (const c of CASES) {
  test(`formats ${c.what} as redis-cli does`, () => {
    const r = decode(c.wire);
    assert.equal(formatReply(r, 'standard'), c.tty);
    assert.equal(formatReply(r, 'raw'), c.raw);
  });
}

test('a reply split at every byte is decoded once complete', () => {
  const wire = Buffer.from('*2\r\n$5\r\nhello\r\n%1\r\n+a\r\n:-7\r\n', 'latin1');
  const reader = new ReplyReader();
  for (let i = 0; i < wire.length - 1; i++) {
    reader.feed(wire.subarray(i, i + 1));
    assert.equal(reader.next(), null);
  }
  reader.feed(wire.subarray(wire.length - 1));
  assert.deepEqual(reader.next(), {
    kind: 'array',
    items: [{ kind: 'string', text: 'hello' }, { kind: 'map', items: [{ kind: 'status', text: 'a' }, { kind: 'integer', text: '-7' }] }],
  });
});

test('an attribute is skipped and the reply it annotates is returned', () => {
  const r = decode('|1\r\n$3\r\nttl\r\n:5\r\n$5\r\nvalue\r\n');
  assert.equal(formatReply(r, 'standard'), '"value"\n');
});

test('command line: options, then the command (which may have arguments starting with -)', () => {
  const o = parseCliArgs(['-h', 'db.local', '-p', '6380', '-n', '2', '--raw', 'incrby', 'k', '-5']);
  assert.equal(o.host, 'db.local');
  assert.equal(o.port, 6380);
  assert.equal(o.db, 2);
  assert.equal(o.raw, true);
  assert.deepEqual(o.command, ['incrby', 'k', '-5']);
  assert.equal(o.passwordOnCommandLine, false);
});

test('command line: -u URI sets host, port, user, password and db', () => {
  const o = parseCliArgs(['-u', 'redis://alice:p%40ss@10.0.0.5:7000/3', 'ping']);
  assert.deepEqual([o.host, o.port, o.user, o.password, o.db], ['10.0.0.5', 7000, 'alice', 'p@ss', 3]);
  assert.equal(o.passwordOnCommandLine, true);
  assert.throws(() => parseCliArgs(['-u', 'http://x']), CliUsageError);
});

test('command line: unknown options and missing values are refused with redis-cli\'s message', () => {
  assert.throws(() => parseCliArgs(['--foo', 'ping']), { message: "Unrecognized option or bad number of args for: '--foo'" });
  assert.throws(() => parseCliArgs(['-p']), { message: "Unrecognized option or bad number of args for: '-p'" });
});

test('command line: REDISCLI_AUTH supplies the password without the warning', () => {
  const o = parseCliArgs(['ping'], { REDISCLI_AUTH: 'secret' });
  assert.equal(o.password, 'secret');
  assert.equal(o.passwordOnCommandLine, false);
});

test('lines with passwords are kept out of the history file', () => {
  assert.equal(isSensitive(['AUTH', 'pw']), true);
  assert.equal(isSensitive(['acl', 'SETUSER', 'u', '>pw']), true);
  assert.equal(isSensitive(['CONFIG', 'set', 'requirepass', 'pw']), true);
  assert.equal(isSensitive(['hello', '3', 'AUTH', 'u', 'pw']), true);
  assert.equal(isSensitive(['set', 'auth', 'x']), false);
});

test('help builds the syntax line from COMMAND DOCS as redis-cli does', () => {
  // COMMAND DOCS for LPOS and a made-up command using every argument shape, as RESP3 maps.
  const wire =
    '%2\r\n' +
    '$4\r\nlpos\r\n%4\r\n$7\r\nsummary\r\n$5\r\nFind!\r\n$5\r\nsince\r\n$5\r\n6.0.6\r\n$5\r\ngroup\r\n$4\r\nlist\r\n' +
    '$9\r\narguments\r\n*3\r\n' +
    '%2\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n' +
    '%4\r\n$4\r\nname\r\n$4\r\nrank\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$4\r\nRANK\r\n$5\r\nflags\r\n~1\r\n+optional\r\n' +
    '%4\r\n$4\r\nname\r\n$4\r\nmode\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n' +
    '%3\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n' +
    '%3\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n' +
    '$5\r\nmulti\r\n%2\r\n$7\r\nsummary\r\n$1\r\nM\r\n$9\r\narguments\r\n*1\r\n' +
    '%4\r\n$4\r\nname\r\n$4\r\npair\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n~2\r\n+multiple\r\n+multiple_token\r\n$9\r\narguments\r\n*2\r\n' +
    '%3\r\n$4\r\nname\r\n$5\r\nfield\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$3\r\nSET\r\n' +
    '%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n';
  const entries = helpEntries(decode(wire));
  assert.deepEqual(entries.map((e) => [e.words, e.params]), [
    [['LPOS'], 'key [RANK rank] [NX|XX]'],
    [['MULTI'], 'SET field value [SET field value ...]'],
  ]);
  assert.equal(
    helpText(entries, ['lpos']),
    '\r\n  \x1b[1mLPOS\x1b[0m \x1b[90mkey [RANK rank] [NX|XX]\x1b[0m\r\n  \x1b[33msummary:\x1b[0m Find!\r\n  \x1b[33msince:\x1b[0m 6.0.6\r\n  \x1b[33mgroup:\x1b[0m list\r\n\r\n',
  );
  assert.equal(helpText(entries, ['nosuch']), '\r\n');
});

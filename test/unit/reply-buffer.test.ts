// ReplyBuffer's hand-written encoders (integers and bulk headers digit by digit, short strings
// byte by byte) against the plain string forms they replace.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ReplyBuffer } from '../../src/protocol/reply-buffer';

test('integers and bulk lengths of every size encode as their decimal text', () => {
  const numbers = [0, 7, 9, 10, 99, 100, 12345, 999_999_999, 2_147_483_647, 2_147_483_648, 4_294_967_296, 9_007_199_254_740_991, -1, -2_147_483_649];
  const r = new ReplyBuffer();
  let expected = '';
  for (const n of numbers) {
    r.int(n);
    expected += `:${n}\r\n`;
  }
  for (const len of [0, 1, 9, 10, 32, 33, 100, 4095, 4096, 70_000]) {
    const s = 'ab\r\n\xff'.repeat(len).slice(0, len);
    r.bulk(s);
    expected += `$${len}\r\n${s}\r\n`;
  }
  r.int(123n);
  expected += ':123\r\n';
  assert.equal(Buffer.concat(r.take()).toString('latin1'), expected);
});

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { protectedModeRefuses, PROTECTED_MODE_DENIED } from '../../src/server/server';

test('protected mode serves only loopback while the default user has no password', () => {
  const on = { protectedMode: true, defaultUserNopass: true };
  for (const addr of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', undefined]) assert.equal(protectedModeRefuses(addr, on), false, String(addr));
  for (const addr of ['10.0.0.5', '192.168.1.2', '::ffff:10.1.1.1', 'fe80::1']) assert.equal(protectedModeRefuses(addr, on), true, addr);
  assert.equal(protectedModeRefuses('10.0.0.5', { ...on, protectedMode: false }), false);
  assert.equal(protectedModeRefuses('10.0.0.5', { ...on, defaultUserNopass: false }), false);
  assert.ok(PROTECTED_MODE_DENIED.startsWith('-DENIED Redis is running in protected mode') && PROTECTED_MODE_DENIED.endsWith('from the outside.\r\n'));
});

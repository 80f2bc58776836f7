// Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET.

import { command, CommandSpec } from './command';
import { intArg } from './args';
import type { Client } from '../server/client';
import { REDIS_COMPAT_VERSION } from '../server/version';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

/** Authenticates `c`; returns the error to reply, or null on success. */
function authenticate(c: Client, user: string, password: string): string | null {
  if (!c.server.acl.authenticate(user, password)) {
    c.server.acl.log.add(c, 'auth', 'AUTH', 'toplevel', user);
    return WRONGPASS;
  }
  c.setAuthenticated(user);
  return null;
}

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    c.reply.error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (c.role === 'pubsub' && c.resp === 2) {
    // In RESP2 subscriber mode PING answers as a pub/sub message, as Redis does.
    c.reply.arrayHeader(2);
    c.reply.bulk('pong');
    c.reply.bulk(argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) c.reply.bulk(argv[1]);
  else c.reply.simple('PONG');
}

function auth(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.reply.error('ERR syntax error');
    return;
  }
  const user = argv.length === 3 ? argv[1] : 'default';
  const password = argv[argv.length - 1];
  if (argv.length === 2 && c.server.acl.defaultUserIsNopass()) {
    c.reply.error(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
    return;
  }
  const err = authenticate(c, user, password);
  if (err !== null) c.reply.error(err);
  else c.reply.ok();
}

function hello(c: Client, argv: string[]): void {
  let proto: number = c.resp;
  let i = 1;
  if (argv.length >= 2) {
    const v = intArg(c, argv[1], 'ERR Protocol version is not an integer or out of range');
    if (v === null) return;
    if (v < 2 || v > 3) {
      c.reply.error('NOPROTO unsupported protocol version');
      return;
    }
    proto = v;
    i = 2;
  }
  let setName: string | null = null;
  for (; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    const more = argv.length - i - 1;
    if (opt === 'auth' && more >= 2) {
      const err = authenticate(c, argv[i + 1], argv[i + 2]);
      if (err !== null) {
        c.reply.error(err);
        return;
      }
      i += 2;
    } else if (opt === 'setname' && more >= 1) {
      setName = argv[i + 1];
      i += 1;
    } else {
      c.reply.error(`ERR Syntax error in HELLO option '${argv[i]}'`);
      return;
    }
  }
  if (!c.authenticated) {
    c.reply.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    return;
  }
  if (setName !== null) {
    if (/[\s]/.test(setName) || /[^\x21-\x7e]/.test(setName)) {
      c.reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
      return;
    }
    c.name = setName;
  }
  c.reply.resp = proto as 2 | 3;
  c.reply.mapHeader(7);
  c.reply.bulk('server');
  c.reply.bulk('redis');
  c.reply.bulk('version');
  c.reply.bulk(REDIS_COMPAT_VERSION);
  c.reply.bulk('proto');
  c.reply.int(proto);
  c.reply.bulk('id');
  c.reply.int(c.id);
  c.reply.bulk('mode');
  c.reply.bulk('standalone');
  c.reply.bulk('role');
  c.reply.bulk(c.server.role === 'master' ? 'master' : 'replica');
  c.reply.bulk('modules');
  c.reply.arrayHeader(0);
}

function select(c: Client, argv: string[]): void {
  const idx = intArg(c, argv[1]);
  if (idx === null) return;
  const db = c.server.db(idx);
  if (db === undefined || idx < 0) {
    c.reply.error('ERR DB index is out of range');
    return;
  }
  c.db = db;
  c.reply.ok();
}

function reset(c: Client): void {
  for (const h of c.server.hooks.clientReset) h(c);
  c.db = c.server.keyspace.dbs[0];
  c.reply.resp = 2;
  c.name = '';
  c.replyMode = 'on';
  c.skipNextReply = false;
  if (c.server.requiresAuth()) {
    c.authenticated = false;
    c.parser.authenticated = false;
  }
  c.user = 'default';
  c.reply.simple('RESET');
}

export const CONNECTION_COMMANDS: CommandSpec[] = [
  command({ name: 'ping', arity: -1, flags: ['fast', 'sentinel'], categories: ['connection'], group: 'connection', summary: 'Ping the server', since: '1.0.0', handler: ping }),
  command({ name: 'echo', arity: 2, flags: ['fast'], categories: ['connection'], group: 'connection', summary: 'Echo the given string', since: '1.0.0', handler: (c, a) => c.reply.bulk(a[1]) }),
  command({
    name: 'quit', arity: -1, flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], categories: ['connection'],
    group: 'connection', summary: 'Close the connection', since: '1.0.0',
    handler: (c) => {
      c.reply.ok();
      c.closeAfterReply = true;
    },
  }),
  command({ name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], categories: ['connection'], group: 'connection', summary: 'Change the selected database for the current connection', since: '1.0.0', handler: select }),
  command({ name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'], categories: ['connection'], group: 'connection', summary: 'Authenticate to the server', since: '1.0.0', handler: auth }),
  command({ name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'], categories: ['connection'], group: 'connection', summary: 'Handshake with Redis', since: '6.0.0', handler: hello }),
  command({ name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], categories: ['connection'], group: 'connection', summary: 'Reset the connection', since: '6.2.0', handler: reset }),
];

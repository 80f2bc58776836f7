// Transactions, pub/sub, blocking commands and keyspace notifications compared with a real
// redis-server 7.0: the same multi-client scripts run against both, and every reply (including
// RESP3 pushes, nulls and errors) must be the same.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RespClient, RespValue, encode } from '../helpers/resp-client';
import { ServerProcess } from '../helpers/server';
import { useTandemAndRedis } from '../helpers/use-server';
import { waitFor } from '../helpers/wait';

/**
 * One step of a script: `[client, ...argv]` sends a command and reads its reply;
 * `{ block: [client, ...argv] }` sends a command that must leave the client blocked;
 * `{ read: client }` reads one more reply (a served blocked command, a published message);
 * `{ hello: [client, proto] }` switches protocol (HELLO's reply carries the client id, so only
 * its proto field is compared).
 */
type Step = [number, ...string[]] | { block: [number, ...string[]] } | { read: number } | { hello: [number, string] };

const ARGS = ['--notify-keyspace-events', 'KEA', '--save', ''];

const { tandem: { server: tandem }, redis: { server: redis } } = useTandemAndRedis(ARGS);

/** Runs a script against one server with fresh clients; returns every reply in order. */
async function transcript(srv: ServerProcess, steps: Step[]): Promise<RespValue[]> {
  const admin = await srv.client();
  await admin.call('FLUSHALL');
  const clients = new Map<number, RespClient>();
  const client = async (n: number): Promise<RespClient> => {
    let c = clients.get(n);
    if (c === undefined) {
      c = await srv.client();
      clients.set(n, c);
    }
    return c;
  };
  const out: RespValue[] = [];
  let blocked = 0;
  try {
    for (const step of steps) {
      if (Array.isArray(step)) {
        const [n, ...argv] = step;
        out.push(await (await client(n)).call(...argv));
      } else if ('block' in step) {
        const [n, ...argv] = step.block;
        (await client(n)).writeRaw(encode(argv));
        blocked++;
        await waitFor(`${argv[0]} to block`, async () => ((await admin.call('INFO', 'clients')) as string).includes(`blocked_clients:${blocked}\r\n`));
      } else if ('hello' in step) {
        const reply = (await (await client(step.hello[0])).call('HELLO', step.hello[1])) as Map<RespValue, RespValue> | RespValue[];
        out.push(reply instanceof Map ? reply.get('proto')! : reply[5]);
      } else {
        out.push(await (await client(step.read)).read());
        blocked = Number(/blocked_clients:(\d+)/.exec((await admin.call('INFO', 'clients')) as string)![1]);
      }
    }
  } finally {
    for (const c of clients.values()) c.close();
    admin.close();
  }
  return out;
}

async function sameAsRedis(steps: Step[]): Promise<void> {
  const [mine, theirs] = await Promise.all([transcript(tandem, steps), transcript(redis, steps)]);
  assert.deepEqual(mine, theirs);
}

test('MULTI/EXEC/DISCARD/WATCH replies and errors', async () => {
  await sameAsRedis([
    [1, 'EXEC'], [1, 'DISCARD'], [1, 'UNWATCH'],
    [1, 'MULTI'], [1, 'MULTI'], [1, 'WATCH', 'x'], [1, 'SET', 'a', '1'], [1, 'LPUSH', 'a', 'x'], [1, 'GET', 'a'], [1, 'EXEC'],
    [1, 'MULTI'], [1, 'SET', 'b', '1'], [1, 'NOSUCH'], [1, 'GET'], [1, 'EXEC'], [1, 'GET', 'b'],
    [1, 'MULTI'], [1, 'SHUTDOWN'], [1, 'PING'], [1, 'EXEC'],
    [1, 'MULTI'], [1, 'PING'], [1, 'DISCARD'], [1, 'EXEC'],
    [1, 'WATCH', 'w', 'v'], [2, 'SET', 'w', 'other'], [1, 'MULTI'], [1, 'SET', 'w', 'mine'], [1, 'EXEC'], [1, 'GET', 'w'],
    [1, 'WATCH', 'w'], [2, 'GET', 'w'], [1, 'MULTI'], [1, 'SET', 'w', 'mine'], [1, 'EXEC'], [1, 'GET', 'w'],
    [1, 'WATCH', 'w'], [2, 'FLUSHDB'], [1, 'MULTI'], [1, 'PING'], [1, 'EXEC'],
    [1, 'WATCH', 'absent'], [2, 'FLUSHALL'], [2, 'DEL', 'absent'], [1, 'MULTI'], [1, 'PING'], [1, 'EXEC'],
    [1, 'WATCH', 'absent'], [2, 'SELECT', '4'], [2, 'SET', 'absent', 'x'], [2, 'SWAPDB', '0', '4'], [1, 'MULTI'], [1, 'PING'], [1, 'EXEC'],
    [2, 'SELECT', '0'], [2, 'DEL', 'absent'], [1, 'WATCH', 'other'], [2, 'SWAPDB', '0', '4'], [1, 'MULTI'], [1, 'PING'], [1, 'EXEC'],
    [1, 'MULTI'], [1, 'SET', 'a', '1'], [1, 'GET', 'a'], [2, 'REPLICAOF', '127.0.0.1', '1'], [1, 'EXEC'], [2, 'REPLICAOF', 'NO', 'ONE'],
    [2, 'ACL', 'SETUSER', 'u1', 'on', 'nopass', '~*', '&*', '+@all'], [3, 'AUTH', 'u1', 'x'], [3, 'MULTI'], [3, 'SET', 'a', '1'],
    [3, 'PUBLISH', 'ch', 'm'], [3, 'GET', 'a'], [3, 'INCR', 'n'], [2, 'ACL', 'SETUSER', 'u1', 'resetkeys', '~a*', 'resetchannels', '&x*', '-incr'],
    [3, 'EXEC'], [2, 'ACL', 'DELUSER', 'u1'],
    { hello: [1, '3'] }, [1, 'WATCH', 'w'], [2, 'SET', 'w', '1'], [1, 'MULTI'], [1, 'PING'], [1, 'EXEC'],
  ]);
});

test('pub/sub in RESP2 and RESP3, patterns, shard channels, PUBSUB', async () => {
  await sameAsRedis([
    [1, 'SUBSCRIBE', 'ch', 'ch'], { read: 1 }, [1, 'GET', 'k'], [1, 'CLIENT', 'ID'], [1, 'PING'], [1, 'PING', 'x'],
    { hello: [2, '3'] }, [2, 'PSUBSCRIBE', 'c*'], [2, 'SUBSCRIBE', 'ch'], [2, 'GET', 'k'],
    [3, 'PUBLISH', 'ch', 'hello'], { read: 1 }, { read: 2 }, { read: 2 },
    [3, 'PUBLISH', 'cx', 'm'], { read: 2 },
    [2, 'PUBLISH', 'ch', 'self'], { read: 2 }, { read: 2 }, { read: 1 },
    [2, 'SSUBSCRIBE', 'sh'], [3, 'SPUBLISH', 'sh', 'm'], { read: 2 },
    [3, 'PUBSUB', 'CHANNELS'], [3, 'PUBSUB', 'NUMSUB', 'ch', 'none'], [3, 'PUBSUB', 'NUMPAT'], [3, 'PUBSUB', 'SHARDCHANNELS'],
    [3, 'PUBSUB', 'SHARDNUMSUB', 'sh'], [3, 'PUBSUB', 'CHANNELS', 'a', 'b'], [3, 'PUBSUB', 'HELP'], [3, 'PUBSUB', 'NOPE'],
    [2, 'UNSUBSCRIBE'], [2, 'UNSUBSCRIBE'], [2, 'PUNSUBSCRIBE'], [2, 'SUNSUBSCRIBE'], [2, 'SUNSUBSCRIBE'],
    [1, 'PSUBSCRIBE', 'p'], [1, 'UNSUBSCRIBE'], [1, 'PUNSUBSCRIBE', 'p', 'q'], { read: 1 }, [1, 'PING'],
    [1, 'SUBSCRIBE', 'r'], [1, 'RESET'], [1, 'GET', 'k'],
  ]);
});

test('blocking commands: serving order, moves, sorted sets, MULTI, errors, unblock', async () => {
  await sameAsRedis([
    { block: [1, 'BLPOP', 'l1', 'l2', '0'] }, { block: [2, 'BLPOP', 'l2', '0'] }, { block: [3, 'BRPOP', 'l2', '5'] },
    [4, 'RPUSH', 'l2', 'a', 'b'], { read: 1 }, { read: 2 }, [4, 'LPUSH', 'l2', 'c'], { read: 3 },
    { block: [1, 'BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0'] }, { block: [2, 'BRPOPLPUSH', 'dst', 'other', '0'] },
    [4, 'RPUSH', 'src', 'x'], { read: 1 }, { read: 2 }, [4, 'LRANGE', 'other', '0', '-1'],
    { block: [1, 'BLMPOP', '0', '2', 'q1', 'q2', 'RIGHT', 'COUNT', '5'] },
    [4, 'MULTI'], [4, 'RPUSH', 'q2', '1', '2', '3'], [4, 'RPUSH', 'q1', '9'], [4, 'EXEC'], { read: 1 }, [4, 'LLEN', 'q1'],
    { block: [1, 'BZPOPMAX', 'z1', 'z2', '0'] }, { block: [2, 'BZMPOP', '0', '2', 'z2', 'z1', 'MIN', 'COUNT', '2'] },
    [4, 'ZADD', 'z2', '1', 'x', '2.5', 'y', '3', 'z'], { read: 1 }, { read: 2 },
    { hello: [1, '3'] }, [4, 'ZADD', 'z3', '1.5', 'm'], [1, 'BZPOPMIN', 'z3', '0'], [1, 'BZPOPMIN', 'z3', '0.01'], { hello: [1, '2'] },
    [1, 'MULTI'], [1, 'BLPOP', 'm', '0'], [1, 'BLMOVE', 'm', 'n', 'LEFT', 'RIGHT', '0'], [1, 'BRPOPLPUSH', 'm', 'n', '0'],
    [1, 'BZPOPMIN', 'm', '0'], [1, 'BLMPOP', '0', '1', 'm', 'LEFT'], [1, 'BZMPOP', '0', '1', 'm', 'MAX'], [1, 'EXEC'],
    [1, 'BLPOP', 'm', '0.01'], [1, 'BLMOVE', 'm', 'n', 'LEFT', 'RIGHT', '0.01'], [1, 'BLMPOP', '0.01', '1', 'm', 'LEFT'],
    [4, 'SET', 'str', 'x'], [1, 'BLPOP', 'm', 'str', '0'], [1, 'BLMOVE', 'str', 'n', 'LEFT', 'RIGHT', '0'], [1, 'BZPOPMIN', 'str', '0'],
    [1, 'BLPOP', 'k', 'x'], [1, 'BLPOP', 'k', '-1'], [1, 'BLPOP', 'k', 'inf'], [1, 'BLMOVE', 'a', 'b', 'UP', 'LEFT', '0'],
    [1, 'BLMPOP', '0', '0', 'l', 'LEFT'], [1, 'BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '0'], [1, 'BLMPOP', '0', '2', 'l', 'LEFT'],
    [1, 'BZMPOP', '0', '1', 'l', 'MIN', 'COUNT', '-1'], [1, 'BZMPOP', '0', '1', 'l', 'MIDDLE'],
    { block: [1, 'BLPOP', 'wt', '0'] }, [4, 'SET', 'wt', 's'], [4, 'DEL', 'wt'], [4, 'RPUSH', 'wt', 'v'], { read: 1 },
    [4, 'CLIENT', 'UNBLOCK', '999999'], [4, 'CLIENT', 'UNBLOCK', 'x'], [4, 'CLIENT', 'UNBLOCK', '1', 'foo'],
    // Turning into a replica drops the clients blocked on keys.
    { block: [5, 'BLPOP', 'never', '0'] }, [4, 'REPLICAOF', '127.0.0.1', '1'], { read: 5 }, [4, 'REPLICAOF', 'NO', 'ONE'],
  ]);
});

test('keyspace notifications for generic and string commands and expiry', async () => {
  await sameAsRedis([
    [1, 'PSUBSCRIBE', '__key*__:*'],
    [2, 'SET', 'k', 'v'], { read: 1 }, { read: 1 },
    [2, 'EXPIRE', 'k', '100'], { read: 1 }, { read: 1 },
    [2, 'PERSIST', 'k'], { read: 1 }, { read: 1 },
    [2, 'RENAME', 'k', 'k2'], { read: 1 }, { read: 1 }, { read: 1 }, { read: 1 },
    [2, 'DEL', 'k2'], { read: 1 }, { read: 1 },
    [2, 'SET', 'e', 'v', 'PX', '10'], { read: 1 }, { read: 1 }, { read: 1 }, { read: 1 }, { read: 1 }, { read: 1 },
  ]);
});

test('keyspace notifications of blocking commands, served at once and after waiting', async () => {
  const events = (n: number): Step[] => Array.from({ length: n }, () => ({ read: 1 }));
  await sameAsRedis([
    [1, 'PSUBSCRIBE', '__keyevent*__:*'],
    [2, 'RPUSH', 'l', 'a'], ...events(1), [2, 'BLPOP', 'l', '0'], ...events(2),
    { block: [3, 'BLPOP', 'bl', '0'] }, [2, 'RPUSH', 'bl', 'x'], { read: 3 }, ...events(3),
    { block: [3, 'BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0'] }, [2, 'RPUSH', 'src', 'x'], { read: 3 }, ...events(4),
    { block: [3, 'BZPOPMIN', 'z', '0'] }, [2, 'ZADD', 'z', '1', 'm'], { read: 3 }, ...events(3),
    { block: [3, 'BLMPOP', '0', '1', 'm', 'LEFT', 'COUNT', '2'] }, [2, 'RPUSH', 'm', '1', '2', '3'], { read: 3 }, ...events(2),
    [2, 'PUBLISH', '__keyevent@0__:end', 'marker'], { read: 1 },
  ]);
});

/** Every keyspace event (with 'new' and 'keymiss' enabled) a pattern subscriber sees while `commands` run. */
async function eventsOf(srv: ServerProcess, commands: string[][]): Promise<RespValue[]> {
  const admin = await srv.client();
  const sub = await srv.client();
  try {
    await admin.call('FLUSHALL');
    await admin.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEAnm');
    await sub.call('PSUBSCRIBE', '__key*__:*');
    const out: RespValue[] = [];
    for (const argv of commands) out.push(await admin.call(...argv));
    await admin.call('PUBLISH', '__keyevent@0__:end', 'marker');
    for (;;) {
      const msg = (await sub.read()) as RespValue[];
      if (msg[2] === '__keyevent@0__:end') break;
      out.push(msg);
    }
    return out;
  } finally {
    await admin.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    sub.close();
    admin.close();
  }
}

test("'new' and 'keymiss' keyspace events fire where Redis fires them", async () => {
  const commands = [
    ['SET', 's', 'v'], ['SET', 's', 'w'], ['SET', 'nx', 'v', 'NX'], ['SET', 'xx', 'v', 'XX'], ['SETNX', 's', 'v'],
    ['GET', 'missing'], ['GET', 's'], ['MGET', 's', 'm1', 'm2'], ['EXISTS', 'm3'], ['TYPE', 'm4'], ['STRLEN', 'm5'],
    ['GETDEL', 'm6'], ['GETSET', 'gs', 'v'], ['APPEND', 'ap', 'x'], ['SETRANGE', 'sr', '2', 'x'], ['INCR', 'n'],
    ['MSET', 'a', '1', 'b', '2', 's', '3'], ['MSETNX', 'c', '1', 'd', '2'], ['TTL', 'm7'], ['EXPIRE', 'm8', '10'],
    ['LPUSH', 'l', 'a'], ['LPUSH', 'l', 'b'], ['LRANGE', 'm9', '0', '-1'], ['LPOP', 'm10'], ['RPOPLPUSH', 'l', 'l2'],
    ['SADD', 'set', 'a', 'b'], ['SUNIONSTORE', 'set2', 'set', 'm11'], ['SUNIONSTORE', 'set2', 'set'], ['SMEMBERS', 'm12'],
    ['HSET', 'h', 'f', 'v'], ['HGET', 'm13', 'f'], ['HINCRBY', 'h2', 'f', '1'], ['HGETALL', 'm14'],
    ['ZADD', 'z', '1', 'a'], ['ZINCRBY', 'z2', '1', 'a'], ['ZSCORE', 'm15', 'a'], ['ZUNIONSTORE', 'z3', '1', 'z'],
    ['RENAME', 's', 'a'], ['COPY', 'a', 'cp'], ['COPY', 'a', 'cp', 'REPLACE'], ['MOVE', 'b', '1'],
    ['SORT', 'l', 'ALPHA', 'STORE', 'sorted'], ['OBJECT', 'ENCODING', 'm16'], ['CONFIG', 'GET', 'notify-keyspace-events'],
  ];
  const [mine, theirs] = await Promise.all([eventsOf(tandem, commands), eventsOf(redis, commands)]);
  assert.deepEqual(mine, theirs);
});

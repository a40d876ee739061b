import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createSimulator } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { decodeWatcherEvent, encodeWatcherEvent } from '../../src/live/coordination/event-codec.js';
import { createRedisStore } from '../../src/live/coordination/redis-store.js';
import { connectRedis } from '../../src/redis/connection.js';
import { writeBudget } from '../../src/redis/write-budget.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { credentialScope } from '../../src/upstream/credential-scope.js';
import { createRedisVerdicts } from '../../src/upstream/redis-verdicts.js';
import { useCleanupsAfterAll } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { codesOf, post } from '../helpers/http.js';
import { sseSubscription, wsClient, wsOperation } from '../helpers/live.js';
import { RedisServer } from '../helpers/redis-server.js';

/**
 * Finding 7 of the fourth security round: invented tokens left change feed
 * logs in Redis. 40 subscriptions with invented tokens left 40 streams
 * (4,784 bytes each, kept 3,599 s), though their first poll was a 401:
 * about 1.7 GB an hour from one address at the default rate limit. Now
 * nothing is stored for a scope Run:ai has not accepted (a feed
 * subscription shows Run:ai an unvouched token first), and every store the
 * gateway keeps in Redis is bounded in bytes for the whole deployment,
 * whatever the number of credentials.
 */

const onCleanupAfterAll = useCleanupsAfterAll();

const simulator = createSimulator();
let redis: RedisServer;
let client: Redis;
let a: { app: App; url: string };
let b: { app: App; url: string };

async function replica(runaiUrl: string, config: Record<string, unknown> = {}) {
  const app = buildApp(
    makeConfig({
      runaiUrl,
      redisUrl: redis.url,
      responseCacheTtlSeconds: 60,
      rateLimitPerMinute: 0,
      logLevel: 'silent',
      ...config,
    }),
    { log: createLogger('silent') },
  );
  const url = await app.start(0, '127.0.0.1');
  onCleanupAfterAll(() => app.stop());
  return { app, url };
}

/** Every key of Redis with the values it holds (strings, stream entries, set and zset members). */
async function everything(): Promise<string> {
  const keys = await client.keys('*');
  const parts: string[] = [];
  for (const key of keys) {
    const type = await client.type(key);
    parts.push(key);
    if (type === 'string') parts.push(String(await client.get(key)));
    else if (type === 'stream') parts.push(JSON.stringify(await client.xrange(key, '-', '+')));
    else if (type === 'set') parts.push(...(await client.smembers(key)));
    else if (type === 'zset') parts.push(...(await client.zrange(key, 0, -1)));
    else if (type === 'hash') parts.push(JSON.stringify(await client.hgetall(key)));
  }
  return parts.join('\n');
}

beforeAll(async () => {
  redis = await RedisServer.create();
  onCleanupAfterAll(() => redis.stop());
  client = new Redis(redis.url);
  onCleanupAfterAll(() => client.quit());
  const runaiUrl = await simulator.start(0, '127.0.0.1');
  onCleanupAfterAll(() => simulator.stop());
  a = await replica(runaiUrl, { persistedDocuments: undefined });
  b = await replica(runaiUrl);
});

describe('nothing is stored for a token Run:ai has not accepted', () => {
  it('keeps no stream, lease, snapshot, cache entry or rate count in Redis for 40 invented-token subscriptions and 10 queries on two replicas', async () => {
    const tokens = Array.from({ length: 50 }, (_, i) => `invented-${i}-${'x'.repeat(20)}`);
    const feed = 'subscription { nodePoolChanged { kind cursor } }';
    const outcomes: unknown[] = [];
    for (const token of tokens.slice(0, 20)) {
      const ws = wsClient(a.url, token);
      outcomes.push(await wsOperation(ws, { query: feed }).outcome);
      await ws.dispose();
    }
    for (const token of tokens.slice(20, 40)) {
      const sse = await sseSubscription(b.url, feed, token);
      await eventually(() => expect(sse.payloads.length).toBeGreaterThan(0));
      outcomes.push(codesOf(sse.payloads[0] as never));
      await sse.close();
    }
    expect(outcomes.every((o) => JSON.stringify(o) === '["UNAUTHENTICATED"]')).toBe(true);
    for (const token of tokens.slice(40)) {
      const query = '{ nodePoolCount }';
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const answer = await post(
        a.url,
        { query, extensions: { persistedQuery: { version: 1, sha256Hash } } },
        { token },
      );
      expect(codesOf(answer.body)).toEqual(['UNAUTHENTICATED']);
    }
    // Give a poller that should not have started the time to write.
    await sleep(300);
    const stored = await everything();
    for (const token of tokens) expect(stored).not.toContain(credentialScope(token));
    expect(await client.keys('nodepool-gateway:live:log:*')).toEqual([]);
  });
});

describe('every store the gateway keeps in Redis is bounded in bytes', () => {
  it('a write budget grants what its two windows hold room for, and no more', async () => {
    const budget = writeBudget(client, 'nodepool-gateway:written:test', {
      windowMs: 60_000,
      maxBytes: 1_000,
    });
    expect([await budget.spend(400), await budget.spend(400), await budget.spend(400)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(await budget.spend(200)).toBe(true);
  });

  it('the response cache keeps at most responseCacheMaxBytes of answers for the whole deployment', async () => {
    const runaiUrl = simulator.url;
    const small = await replica(runaiUrl, { responseCacheMaxBytes: 64 * 1024 });
    const other = await replica(runaiUrl, { responseCacheMaxBytes: 64 * 1024 });
    await client.flushall();
    // 400 distinct answers of about 1 KB: six times the budget, from two replicas.
    for (let i = 0; i < 200; i++) {
      for (const { url } of [small, other]) {
        const query = `query($n: Int) { nodePools(first: $n) { edges { node { id name labelKey labelValue createdAt } } } }`;
        const answer = await post(url, {
          query,
          variables: { n: 1 + ((i * 2 + (url === small.url ? 0 : 1)) % 12) },
        });
        expect(answer.body.errors).toBeUndefined();
      }
      // Distinct documents too: comments change the key, not the answer.
      await post(small.url, {
        query: `# ${i}\n{ nodePools(first: 12) { edges { node { id name labelKey } } } }`,
      });
    }
    let held = 0;
    for (const key of await client.keys('nodepool-gateway:cache:*')) {
      if ((await client.type(key)) === 'string') held += Number(await client.strlen(key));
    }
    expect(held).toBeGreaterThan(10 * 1024);
    expect(held).toBeLessThanOrEqual(64 * 1024);
  });

  it('the change feed logs and snapshots hold at most their budgets, and an unlogged stretch ends in a gap a resume sees', async () => {
    const connection = connectRedis({ url: redis.url, warn: () => {}, info: () => {} });
    onCleanupAfterAll(() => connection.close());
    const store = createRedisStore({
      redis: connection,
      warn: () => {},
      limits: { logBytes: 20_000, snapshotBytes: 20_000 },
    });
    await eventually(() => expect(store.connected).toBe(true));
    await client.flushall();
    const log = { length: 1_000, maxAgeMs: 3_600_000 };
    const event = (i: number) =>
      encodeWatcherEvent({ kind: 'end', code: 'FORBIDDEN', message: `${i} ${'y'.repeat(900)}` });
    await store.publish({ topic: 'kept', events: [event(0)], log });
    const first = (await store.newest('kept')) as string;
    for (let topic = 0; topic < 60; topic++) {
      await store.publish({
        topic: `scope-${topic}`,
        events: [event(topic)],
        log,
        snapshot: 'z'.repeat(1_000),
        snapshotTtlMs: 60_000,
      });
    }
    await store.publish({ topic: 'kept', events: [event(1)], log });
    let logged = 0;
    let gaps = 0;
    let streams = 0;
    let snapshots = 0;
    for (const key of await client.keys('nodepool-gateway:live:*')) {
      const type = await client.type(key);
      if (type === 'stream') {
        streams++;
        for (const [, fields] of await client.xrange(key, '-', '+')) {
          if (decodeWatcherEvent(fields[1] ?? '{}').kind === 'gap') gaps++;
          else logged += (fields[1] ?? '').length;
        }
      } else if (key.startsWith('nodepool-gateway:live:snapshot:'))
        snapshots += Number(await client.strlen(key));
    }
    expect(logged).toBeLessThanOrEqual(20_000);
    // Past the budget, a stream that exists gets one gap marker, not one per event.
    expect(gaps).toBeLessThanOrEqual(streams);
    expect(snapshots).toBeLessThanOrEqual(20_000);
    const after = (await store.replay('kept', first)) ?? [];
    expect(after.map((entry) => decodeWatcherEvent(entry.data).kind)).toEqual(['gap']);
  });

  it('the rate limit keeps one key per client address (invented tokens count there), each expiring within a minute', async () => {
    const limited = await replica(simulator.url, { rateLimitPerMinute: 1_000, trustedProxies: 'loopback' });
    await client.flushall();
    for (let i = 0; i < 30; i++) {
      await post(
        limited.url,
        { query: '{ __typename }' },
        { token: `made-up-${i}`, headers: { 'x-forwarded-for': `198.51.100.${i % 3}` } },
      );
    }
    const keys = await client.keys('nodepool-gateway:rate*');
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect(key).toMatch(/address:198\.51\.100\.\d$/);
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it('the shared verdicts hold at most their budget, whatever the number of tokens Run:ai accepts', async () => {
    await client.flushall();
    const connection = connectRedis({ url: redis.url, warn: () => {}, info: () => {} });
    onCleanupAfterAll(() => connection.close());
    const sharing = createRedisVerdicts(connection, { maxBytes: 20_000 });
    await sleep(200);
    for (let i = 0; i < 1_000; i++) sharing.accepted(credentialScope(`accepted-${i}`), Date.now(), 30_000);
    await eventually(async () => expect(await client.keys('nodepool-gateway:verdict:*')).not.toEqual([]));
    await sleep(200);
    let held = 0;
    for (const key of await client.keys('nodepool-gateway:verdict:*')) held += key.length + 64;
    expect(held).toBeLessThanOrEqual(20_000);
    expect(held).toBeGreaterThan(10_000);
  });
});

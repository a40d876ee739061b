import { Redis } from 'ioredis';
import { createSimulator } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { useCleanupsAfterAll } from '../helpers/cleanup.js';
import { RedisServer } from '../helpers/redis-server.js';

const onCleanupAfterAll = useCleanupsAfterAll();

const simulator = createSimulator();
let redis: RedisServer;
let a: { app: App; url: string };
let b: { app: App; url: string };

const POOL_3 = '{ nodePool(id: "3") { id name labelValue } }';
const PATCH = `mutation($labelValue: String) {
  patchNodePool(id: "3", input: { labelValue: $labelValue }) { __typename }
}`;

async function replica(runaiUrl: string) {
  const config = makeConfig({
    runaiUrl,
    redisUrl: redis.url,
    responseCacheTtlSeconds: 60,
    logLevel: 'silent',
  });
  const app = buildApp(config, { log: createLogger('silent') });
  const url = await app.start(0, '127.0.0.1');
  onCleanupAfterAll(() => app.stop());
  return { app, url };
}

async function query(url: string, query: string, variables = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: { nodePool?: { labelValue?: string } }; errors?: unknown[] };
}

async function callsOf(run: () => Promise<unknown>): Promise<number> {
  const before = simulator.requests.length;
  await run();
  return simulator.requests.length - before;
}

beforeAll(async () => {
  redis = await RedisServer.create();
  onCleanupAfterAll(() => redis.stop());
  const runaiUrl = await simulator.start(0, '127.0.0.1');
  onCleanupAfterAll(() => simulator.stop());
  a = await replica(runaiUrl);
  b = await replica(runaiUrl);
});

describe('the response cache in Redis (responseCacheStore defaults to redis with REDIS_URL)', () => {
  it('is shared: replica A keeps an answer, replica B serves it without Run:ai, a mutation on B drops it for A', async () => {
    expect(await callsOf(() => query(a.url, POOL_3))).toBe(1);
    expect(await callsOf(() => query(b.url, POOL_3))).toBe(0);
    expect(await callsOf(() => query(a.url, POOL_3))).toBe(0);

    expect((await query(b.url, PATCH, { labelValue: 'patched-on-b' })).errors).toBeUndefined();
    let answer: Awaited<ReturnType<typeof query>> = {};
    expect(await callsOf(async () => (answer = await query(a.url, POOL_3)))).toBe(1);
    expect(answer.data?.nodePool?.labelValue).toBe('patched-on-b');
  });

  it('keeps its keys under its prefix, each expiring, and never a token', async () => {
    await query(a.url, '{ nodePools(first: 5) { edges { node { id } } } }');
    const client = new Redis(redis.url);
    onCleanupAfterAll(() => client.quit());
    const keys = await client.keys('nodepool-gateway:cache:*');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await client.pttl(key)).toBeGreaterThan(0);
    const everything = await client.keys('*');
    expect(everything.filter((key) => !key.startsWith('nodepool-gateway:'))).toEqual([]);
    for (const key of keys) {
      const type = await client.type(key);
      const values = type === 'set' ? await client.smembers(key) : [String(await client.get(key))];
      for (const value of [key, ...values]) expect(value).not.toContain('demo-admin');
    }
  });
});

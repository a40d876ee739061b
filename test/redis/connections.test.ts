import { Redis } from 'ioredis';
import { createSimulator } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { useCleanupsAfterAll } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { post } from '../helpers/http.js';
import { Collected, wsClient } from '../helpers/live.js';
import { RedisServer } from '../helpers/redis-server.js';

/**
 * One Redis command connection and one subscriber per process, whatever
 * uses Redis: the rate limit, the response cache, the refresh bus, the live
 * store and the shared credential verdicts.
 */

const onCleanupAfterAll = useCleanupsAfterAll();
const simulator = createSimulator();
let redis: RedisServer;
const replicas: { app: App; url: string }[] = [];

beforeAll(async () => {
  redis = await RedisServer.create();
  onCleanupAfterAll(() => redis.stop());
  const runaiUrl = await simulator.start(0, '127.0.0.1');
  onCleanupAfterAll(() => simulator.stop());
  for (let i = 0; i < 2; i++) {
    const config = makeConfig({
      runaiUrl,
      redisUrl: redis.url,
      rateLimitPerMinute: 1_000,
      responseCacheTtlSeconds: 30,
      pollIntervalMs: 500,
      logLevel: 'silent',
    });
    const app = buildApp(config, { log: createLogger('silent') });
    replicas.push({ app, url: await app.start(0, '127.0.0.1') });
    onCleanupAfterAll(() => app.stop());
  }
});

describe('Redis connections', () => {
  it('opens two per process, one for commands and one subscribed, while every feature uses Redis', async () => {
    for (const { url } of replicas) {
      // The rate limit, the response cache and the verdicts: a query; the bus: a mutation; the live store: a feed.
      expect((await post(url, { query: '{ nodePool(id: "3") { name } }' })).status).toBe(200);
      const patch = 'mutation { patchNodePool(id: "3", input: { labelValue: "x" }) { __typename } }';
      expect((await post(url, { query: patch })).body.errors).toBeUndefined();
      const client = wsClient(url);
      onCleanupAfterAll(() => client.dispose());
      const feed = new Collected(client);
      onCleanupAfterAll(() => feed.unsubscribe());
    }
    await eventually(() => expect(replicas.map((r) => r.app.live?.subscriptions)).toEqual([1, 1]));
    const admin = new Redis(redis.url);
    onCleanupAfterAll(() => admin.quit());
    const list = String(await admin.client('LIST'));
    const names = [...list.matchAll(/ name=(\S*) /g)].map((m) => m[1]);
    expect(names.filter((name) => name === 'nodepool-gateway:commands')).toHaveLength(2);
    expect(names.filter((name) => name === 'nodepool-gateway:subscriber')).toHaveLength(2);
    expect(names.filter((name) => name?.startsWith('nodepool-gateway'))).toHaveLength(4);
  });
});

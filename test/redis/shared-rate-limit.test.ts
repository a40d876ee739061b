import { createSimulator } from 'runai-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/config.js';
import { type App, buildApp } from '../../src/server.js';
import { post } from '../helpers/http.js';
import { RedisServer } from '../helpers/redis-server.js';

/** With REDIS_URL, one credential's operations are counted once across every replica. */

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const simulator = createSimulator();
let replicas: { app: App; url: string }[];

beforeAll(async () => {
  const redis = await RedisServer.create();
  cleanups.push(() => redis.stop());
  const runaiUrl = await simulator.start(0, '127.0.0.1');
  cleanups.push(() => simulator.stop());
  replicas = [];
  for (let i = 0; i < 2; i++) {
    const app = buildApp(
      makeConfig({ runaiUrl, redisUrl: redis.url, rateLimitPerMinute: 4, logLevel: 'silent' }),
    );
    const url = await app.start(0, '127.0.0.1');
    cleanups.push(() => app.stop());
    replicas.push({ app, url });
  }
});

describe('rate limit across replicas', () => {
  it('refuses the fifth operation of a credential, whichever replica took the first four', async () => {
    const [a, b] = replicas as unknown as [{ url: string }, { url: string }];
    const statuses: number[] = [];
    for (const url of [a.url, b.url, a.url, b.url, a.url]) {
      statuses.push((await post(url, { query: '{ nodePoolCount }' }, { token: 'demo-viewer' })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    // Another credential keeps its own budget.
    expect((await post(b.url, { query: '{ nodePoolCount }' }, { token: 'demo-admin' })).status).toBe(200);
  });
});

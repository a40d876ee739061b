import { createSimulator } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { useCleanupsAfterAll } from '../helpers/cleanup.js';
import { post } from '../helpers/http.js';
import { RedisServer } from '../helpers/redis-server.js';

/** With REDIS_URL, one credential's operations are counted once across every replica. */

const onCleanupAfterAll = useCleanupsAfterAll();

const simulator = createSimulator();
let replicas: { app: App; url: string }[];

beforeAll(async () => {
  const redis = await RedisServer.create();
  onCleanupAfterAll(() => redis.stop());
  const runaiUrl = await simulator.start(0, '127.0.0.1');
  onCleanupAfterAll(() => simulator.stop());
  replicas = [];
  for (let i = 0; i < 2; i++) {
    const app = buildApp(
      makeConfig({
        runaiUrl,
        redisUrl: redis.url,
        rateLimitPerMinute: 4,
        trustedProxies: 'loopback',
        logLevel: 'silent',
      }),
    );
    const url = await app.start(0, '127.0.0.1');
    onCleanupAfterAll(() => app.stop());
    replicas.push({ app, url });
  }
});

describe('rate limit across replicas', () => {
  /** A caller behind the trusted proxy (loopback), named by its X-Forwarded-For. */
  const from = (address: string, token: string) => ({ token, headers: { 'x-forwarded-for': address } });

  it('refuses the fifth operation of a client address, whichever replica took the first four', async () => {
    const [a, b] = replicas as unknown as [{ url: string }, { url: string }];
    const statuses: number[] = [];
    // A token Run:ai has not accepted (these operations never reach it) is charged to the client address.
    for (const url of [a.url, b.url, a.url, b.url, a.url]) {
      statuses.push(
        (await post(url, { query: '{ __typename }' }, from('203.0.113.1', 'demo-viewer'))).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('refuses the fifth operation of a credential Run:ai accepted, whichever replica took the first four', async () => {
    const [a, b] = replicas as unknown as [{ url: string }, { url: string }];
    // Run:ai accepts the token on both replicas: two operations, charged to their client address, and
    // counted in the token's own budget once it has one: a token never gets a second budget.
    for (const url of [a.url, b.url]) {
      expect(
        (await post(url, { query: '{ nodePoolCount }' }, from('203.0.113.2', 'demo-admin'))).status,
      ).toBe(200);
    }
    const statuses: number[] = [];
    for (const url of [a.url, b.url, a.url, b.url, a.url]) {
      statuses.push(
        (await post(url, { query: '{ nodePoolCount }' }, from('203.0.113.3', 'demo-admin'))).status,
      );
    }
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    // Another credential keeps its own budget.
    expect(
      (await post(b.url, { query: '{ nodePoolCount }' }, from('203.0.113.4', 'demo-admin-2'))).status,
    ).toBe(200);
  });
});

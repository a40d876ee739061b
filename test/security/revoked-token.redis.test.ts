import { createSimulator } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app/app.js';
import { makeConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { useCleanupsAfterAll } from '../helpers/cleanup.js';
import { codesOf, post } from '../helpers/http.js';
import { wsClient, wsOperation } from '../helpers/live.js';
import { RedisServer } from '../helpers/redis-server.js';

/**
 * Finding 1 of the fourth security round: a revoked token still read from
 * the response cache on another replica. Replica 1 answered the revoked
 * token 401; replica 2 then served it the cached answer with 200, and a 304
 * to `If-None-Match`, with no Run:ai call, and counted the token as
 * accepted. The "refused moments ago" record lived in one process while the
 * cache lives in Redis, a hit never revalidated the token, and a hit marked
 * it accepted. Now a hit is served only to a token the deployment believes:
 * Run:ai accepted it lately, somewhere, and nothing refused it since; a 401
 * anywhere reaches every replica.
 */

const onCleanupAfterAll = useCleanupsAfterAll();

const simulator = createSimulator();
let redis: RedisServer;
let a: { app: App; url: string };
let b: { app: App; url: string };

const POOL = '{ nodePool(id: "3") { id name labelValue } }';

async function replica(runaiUrl: string) {
  const config = makeConfig({
    runaiUrl,
    redisUrl: redis.url,
    responseCacheTtlSeconds: 60,
    rateLimitPerMinute: 0,
    logLevel: 'silent',
  });
  const app = buildApp(config, { log: createLogger('silent') });
  const url = await app.start(0, '127.0.0.1');
  onCleanupAfterAll(() => app.stop());
  return { app, url };
}

async function getPool(url: string, token: string, etag?: string) {
  const res = await fetch(`${url}/graphql?${new URLSearchParams({ query: POOL })}`, {
    headers: {
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
      'x-graphql-yoga-csrf': '1',
      ...(etag ? { 'if-none-match': etag } : {}),
    },
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : undefined };
}

const calls = () => simulator.requests.length;

beforeAll(async () => {
  redis = await RedisServer.create();
  onCleanupAfterAll(() => redis.stop());
  const runaiUrl = await simulator.start(0, '127.0.0.1');
  onCleanupAfterAll(() => simulator.stop());
  a = await replica(runaiUrl);
  b = await replica(runaiUrl);
});

describe('a token Run:ai refused reads nothing from the cache, on any replica', () => {
  it('refuses the revoked token on replica B after replica A saw the 401: no 200 from the cache, no 304, no call', async () => {
    simulator.setToken('soon-revoked', { tenantId: 1001, role: 'viewer' });
    // A keeps the answer; B serves it from Redis, believing the token A saw Run:ai accept.
    const first = await getPool(a.url, 'soon-revoked');
    expect(first.status).toBe(200);
    const before = calls();
    const hit = await getPool(b.url, 'soon-revoked');
    expect([hit.status, calls() - before]).toEqual([200, 0]);
    expect(hit.etag).toBe(first.etag);

    simulator.setToken('soon-revoked', null);
    const refused = await post(a.url, { query: '{ nodePoolCount }' }, { token: 'soon-revoked' });
    expect(codesOf(refused.body)).toEqual(['UNAUTHENTICATED']);

    const afterRefusal = calls();
    const again = await getPool(b.url, 'soon-revoked');
    expect([again.status, codesOf(again.body)]).toEqual([401, ['UNAUTHENTICATED']]);
    const revalidated = await getPool(b.url, 'soon-revoked', first.etag ?? undefined);
    expect([revalidated.status, codesOf(revalidated.body)]).toEqual([401, ['UNAUTHENTICATED']]);
    const overWs = wsClient(b.url, 'soon-revoked');
    expect(await wsOperation(overWs, { query: POOL }).outcome).toEqual(['UNAUTHENTICATED']);
    await overWs.dispose();
    expect(calls() - afterRefusal).toBe(0);
  });

  it('asks Run:ai again rather than serve a kept answer to a token no replica saw accepted lately', async () => {
    simulator.setToken('quiet-token', { tenantId: 1001, role: 'viewer' });
    expect((await getPool(a.url, 'quiet-token')).status).toBe(200);
    // The deployment forgets the acceptance (its window passed); the cached answer is still there.
    const client = new (await import('ioredis')).Redis(redis.url);
    onCleanupAfterAll(() => client.quit());
    const keys = await client.keys('nodepool-gateway:verdict:*');
    expect(keys.length).toBeGreaterThan(0);
    await client.del(...keys);
    simulator.setToken('quiet-token', null);
    const before = calls();
    const answer = await getPool(b.url, 'quiet-token');
    expect([answer.status, codesOf(answer.body)]).toEqual([200, ['UNAUTHENTICATED']]);
    expect(answer.body.data).toEqual({ nodePool: null });
    expect(calls() - before).toBe(1);
  });
});

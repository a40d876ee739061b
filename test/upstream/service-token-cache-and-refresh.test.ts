import { describe, expect, it } from 'vitest';
import { CLIENT_ID, SECRET, TTL_S, useServiceTokens } from './service-token-fixture.js';
import { upstreamError } from './support.js';

const t = useServiceTokens();

describe('ServiceTokenSource: one cached token, refreshed before it expires', () => {
  it('obtains a token Run:ai accepts for listing pools', async () => {
    const token = await t.source().getToken();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const body = await t.listPools(token);
    expect(body).toMatchObject({ nodepools: expect.any(Array) });
    const call = t.sim.requests.find((r) => r.operation === 'issue_token');
    expect(call).toMatchObject({
      method: 'POST',
      path: '/api/v1/token',
      body: { grantType: 'client_credentials', clientId: CLIENT_ID, clientSecret: SECRET },
      status: 200,
    });
    // The token call itself carries no bearer token.
    expect(call?.token).toBeUndefined();
  });

  it('shares one token call among 20 concurrent callers', async () => {
    const tokens = await t.concurrently(t.source());
    expect(t.tokenCalls()).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('serves later calls from the cache while the token is fresh', async () => {
    const src = t.source();
    const first = await src.getToken();
    t.clock.now += 30_000;
    expect(await src.getToken()).toBe(first);
    expect(await t.concurrently(src)).toEqual(Array(20).fill(first));
    expect(t.tokenCalls()).toBe(1);
  });

  it('refreshes once, 60 s before expiry, even under load', async () => {
    const src = t.source();
    const issuedAt = t.clock.now;
    const first = await src.getToken();
    const expiry = issuedAt + TTL_S * 1000;

    t.clock.now = expiry - 61_000;
    expect(await t.concurrently(src)).toEqual(Array(20).fill(first));
    expect(t.tokenCalls()).toBe(1);

    t.clock.now = expiry - 59_000;
    const refreshed = await t.concurrently(src);
    expect(t.tokenCalls()).toBe(2);
    expect(new Set(refreshed).size).toBe(1);
    const second = refreshed[0]!;
    expect(second).not.toBe(first);
    expect(await t.listPools(second)).toMatchObject({ nodepools: expect.any(Array) });
    expect(await src.getToken()).toBe(second);
    expect(t.tokenCalls()).toBe(2);
  });

  it('honours a custom refreshBeforeMs', async () => {
    const src = t.source({ refreshBeforeMs: 10_000 });
    const first = await src.getToken();
    t.clock.now += (TTL_S - 11) * 1000;
    expect(await src.getToken()).toBe(first);
    t.clock.now += 2_000;
    expect(await src.getToken()).not.toBe(first);
    expect(t.tokenCalls()).toBe(2);
  });

  it('fetches a new token after invalidate()', async () => {
    const src = t.source();
    const first = await src.getToken();
    src.invalidate();
    const second = await src.getToken();
    expect(second).not.toBe(first);
    expect(t.tokenCalls()).toBe(2);
  });

  it('invalidate(token) drops only that token, not a newer one', async () => {
    const src = t.source();
    const first = await src.getToken();
    src.invalidate(first);
    const second = await src.getToken();
    // A late 401 for the first token arrives after the refresh.
    src.invalidate(first);
    expect(await src.getToken()).toBe(second);
    expect(t.tokenCalls()).toBe(2);
  });

  it('fetches a new token after Run:ai rejects the cached one', async () => {
    const src = t.source();
    const first = await src.getToken();
    t.sim.setToken(first, null);
    const err = await upstreamError(t.listPools(first));
    expect(err.code).toBe('UNAUTHENTICATED');
    src.invalidate(first);
    const second = await src.getToken();
    expect(await t.listPools(second)).toMatchObject({ nodepools: expect.any(Array) });
  });
});

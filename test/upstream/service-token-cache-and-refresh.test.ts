/**
 * Service credentials against the real simulator. Time is simulated: the
 * simulator and the token source share the mutable `clock`, so expiry and
 * refresh are tested by moving it, never by sleeping.
 */
import { inspect } from 'node:util';
import { createSimulator, type Simulator } from 'runai-simulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamHttp } from '../../src/upstream/http.js';
import { type ServiceTokenOptions, ServiceTokenSource } from '../../src/upstream/service-token.js';
import { expectUpstreamError, upstreamError } from './support.js';

const CLIENT_ID = 'demo-client';
const SECRET = 'demo-secret';
const TTL_S = 120;

let clock = Date.now();
let sim: Simulator;
let http: UpstreamHttp;
let logLines: string[];

/** Records every log line (message and object) as one string, to search for leaked credentials. */
const capture = (level: string) => (obj: object, msg: string) => {
  logLines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
};
const logger = { info: capture('info'), warn: capture('warn'), debug: capture('debug') };

beforeAll(async () => {
  sim = createSimulator({ tokenTtlSeconds: TTL_S, now: () => clock });
  await sim.start(0, '127.0.0.1');
  http = new UpstreamHttp({
    baseUrl: sim.url,
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    totalTimeoutMs: 5000,
    logger,
  });
});

afterAll(async () => {
  await http.close();
  await sim.stop();
});

beforeEach(() => {
  clock = Date.now();
  logLines = [];
});

afterEach(() => {
  sim.faults.reset();
  sim.clearRequests();
});

function source(overrides: Partial<ServiceTokenOptions> = {}): ServiceTokenSource {
  return new ServiceTokenSource({
    http,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    now: () => clock,
    logger,
    ...overrides,
  });
}

function tokenCalls(): number {
  return sim.requests.filter((r) => r.operation === 'issue_token').length;
}

function concurrently(src: ServiceTokenSource, n = 20): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, () => src.getToken()));
}

async function listPools(token: string): Promise<unknown> {
  const res = await http.request({
    operation: 'get_nodepools',
    method: 'GET',
    path: '/api/v1/node-pools',
    token,
  });
  return res.body;
}

/** A token response Run:ai might send instead of the simulator's own, through the real HTTP stack. */
function nextTokenResponse(body: object): void {
  sim.faults.failNext(1, 200, { operation: 'issue_token', body: JSON.stringify(body) });
}

function unsignedJwt(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.sig`;
}

describe('ServiceTokenSource', () => {
  it('obtains a token Run:ai accepts for listing pools', async () => {
    const token = await source().getToken();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const body = await listPools(token);
    expect(body).toMatchObject({ nodepools: expect.any(Array) });
    const call = sim.requests.find((r) => r.operation === 'issue_token');
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
    const tokens = await concurrently(source());
    expect(tokenCalls()).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('serves later calls from the cache while the token is fresh', async () => {
    const src = source();
    const first = await src.getToken();
    clock += 30_000;
    expect(await src.getToken()).toBe(first);
    expect(await concurrently(src)).toEqual(Array(20).fill(first));
    expect(tokenCalls()).toBe(1);
  });

  it('refreshes once, 60 s before expiry, even under load', async () => {
    const src = source();
    const issuedAt = clock;
    const first = await src.getToken();
    const expiry = issuedAt + TTL_S * 1000;

    clock = expiry - 61_000;
    expect(await concurrently(src)).toEqual(Array(20).fill(first));
    expect(tokenCalls()).toBe(1);

    clock = expiry - 59_000;
    const refreshed = await concurrently(src);
    expect(tokenCalls()).toBe(2);
    expect(new Set(refreshed).size).toBe(1);
    const second = refreshed[0]!;
    expect(second).not.toBe(first);
    expect(await listPools(second)).toMatchObject({ nodepools: expect.any(Array) });
    expect(await src.getToken()).toBe(second);
    expect(tokenCalls()).toBe(2);
  });

  it('honours a custom refreshBeforeMs', async () => {
    const src = source({ refreshBeforeMs: 10_000 });
    const first = await src.getToken();
    clock += (TTL_S - 11) * 1000;
    expect(await src.getToken()).toBe(first);
    clock += 2_000;
    expect(await src.getToken()).not.toBe(first);
    expect(tokenCalls()).toBe(2);
  });

  it('rejects every waiter with UNAUTHENTICATED for a wrong secret, and retries on the next call', async () => {
    const src = source({ clientSecret: 'not-the-secret' });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => src.getToken()));
    expect(tokenCalls()).toBe(1);
    const errors = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(new Set(errors).size).toBe(1);
    await expectUpstreamError(Promise.reject(errors[0]), {
      code: 'UNAUTHENTICATED',
      status: 401,
      operation: 'issue_token',
    });

    await expectUpstreamError(src.getToken(), { code: 'UNAUTHENTICATED' });
    expect(tokenCalls()).toBe(2);
    expect(logLines.some((l) => l.startsWith('warn Run:ai service token request failed'))).toBe(true);
  });

  it('recovers after a failed call once Run:ai answers again', async () => {
    const src = source();
    sim.faults.failNext(1, 503, { operation: 'issue_token' });
    // POST is never retried by the transport: the 503 reaches the caller.
    await expectUpstreamError(src.getToken(), { code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    const token = await src.getToken();
    expect(await listPools(token)).toMatchObject({ nodepools: expect.any(Array) });
    expect(tokenCalls()).toBe(2);
  });

  it('fetches a new token after invalidate()', async () => {
    const src = source();
    const first = await src.getToken();
    src.invalidate();
    const second = await src.getToken();
    expect(second).not.toBe(first);
    expect(tokenCalls()).toBe(2);
  });

  it('invalidate(token) drops only that token, not a newer one', async () => {
    const src = source();
    const first = await src.getToken();
    src.invalidate(first);
    const second = await src.getToken();
    // A late 401 for the first token arrives after the refresh.
    src.invalidate(first);
    expect(await src.getToken()).toBe(second);
    expect(tokenCalls()).toBe(2);
  });

  it('fetches a new token after Run:ai rejects the cached one', async () => {
    const src = source();
    const first = await src.getToken();
    sim.setToken(first, null);
    const err = await upstreamError(listPools(first));
    expect(err.code).toBe('UNAUTHENTICATED');
    src.invalidate(first);
    const second = await src.getToken();
    expect(await listPools(second)).toMatchObject({ nodepools: expect.any(Array) });
  });

  it('lets an aborting caller leave without cancelling the shared call', async () => {
    const src = source();
    const controller = new AbortController();
    const leaving = src.getToken(controller.signal);
    const staying = src.getToken();
    controller.abort(new Error('client went away'));
    await expect(leaving).rejects.toThrow('client went away');
    const token = await staying;
    expect(await src.getToken()).toBe(token);
    expect(tokenCalls()).toBe(1);
  });

  it('rejects an already aborted signal without a token call', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(source().getToken(controller.signal)).rejects.toThrow('too late');
    expect(tokenCalls()).toBe(0);
  });

  describe('lenient token responses', () => {
    it('accepts the OAuth2 spellings access_token / expires_in', async () => {
      const src = source();
      nextTokenResponse({ access_token: 'opaque-oauth-token', token_type: 'Bearer', expires_in: 300 });
      const start = clock;
      expect(await src.getToken()).toBe('opaque-oauth-token');
      clock = start + 239_000;
      expect(await src.getToken()).toBe('opaque-oauth-token');
      clock = start + 241_000;
      expect(await src.getToken()).not.toBe('opaque-oauth-token');
      expect(tokenCalls()).toBe(2);
    });

    it('falls back to the JWT exp claim without expiresIn', async () => {
      const src = source();
      const start = clock;
      const jwt = unsignedJwt({ sub: CLIENT_ID, exp: Math.floor(start / 1000) + 600 });
      nextTokenResponse({ accessToken: jwt });
      expect(await src.getToken()).toBe(jwt);
      clock = start + 530_000;
      expect(await src.getToken()).toBe(jwt);
      clock = start + 545_000;
      expect(await src.getToken()).not.toBe(jwt);
      expect(logLines).toContainEqual(expect.stringContaining('"expirySource":"jwt-exp"'));
    });

    it('assumes 3600 s for an opaque token without expiresIn', async () => {
      const src = source();
      const start = clock;
      nextTokenResponse({ accessToken: 'opaque' });
      expect(await src.getToken()).toBe('opaque');
      clock = start + 3_539_000;
      expect(await src.getToken()).toBe('opaque');
      clock = start + 3_541_000;
      expect(await src.getToken()).not.toBe('opaque');
    });

    it('refreshes a token shorter-lived than the margin at half its lifetime', async () => {
      const src = source();
      const start = clock;
      nextTokenResponse({ accessToken: 'short', expiresIn: 30 });
      expect(await src.getToken()).toBe('short');
      clock = start + 14_000;
      expect(await src.getToken()).toBe('short');
      clock = start + 16_000;
      expect(await src.getToken()).not.toBe('short');
    });

    it('rejects a response without an access token as UPSTREAM_BAD_RESPONSE', async () => {
      const src = source();
      nextTokenResponse({ idToken: 'x', expiresIn: 3600 });
      await expectUpstreamError(src.getToken(), {
        code: 'UPSTREAM_BAD_RESPONSE',
        operation: 'issue_token',
        status: 200,
      });
      // The next call tries again.
      const token = await src.getToken();
      expect(await listPools(token)).toMatchObject({ nodepools: expect.any(Array) });
      expect(tokenCalls()).toBe(2);
    });
  });

  it('never reveals the secret or a token in logs or when inspected', async () => {
    const src = source();
    const tokens = [await src.getToken()];
    src.invalidate();
    tokens.push(await src.getToken());
    await upstreamError(source({ clientSecret: 'wrong-secret-value' }).getToken());
    nextTokenResponse({ accessToken: 'leaky-opaque-token' });
    src.invalidate();
    tokens.push(await src.getToken());

    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines).toContainEqual(expect.stringContaining('"expiresInS":120'));
    for (const secret of [SECRET, 'wrong-secret-value', ...tokens]) {
      for (const line of logLines) expect(line).not.toContain(secret);
      expect(inspect(src, { depth: 5 })).not.toContain(secret);
      expect(JSON.stringify(src)).not.toContain(secret);
    }
  });

  it('refuses missing credentials at construction', () => {
    expect(() => source({ clientSecret: '' })).toThrow(TypeError);
    expect(() => source({ clientId: '' })).toThrow(TypeError);
    expect(() => source({ refreshBeforeMs: -1 })).toThrow(TypeError);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialScope } from '../../src/upstream/credential-scope.js';
import { CredentialVerdicts } from '../../src/upstream/credential-verdicts.js';
import { codesOf, post } from '../helpers/http.js';
import { type WsOutcome, wsClient, wsOperation } from '../helpers/live.js';
import { type Stack, stackWith } from '../helpers/stack.js';

/**
 * Finding 5 of the third security round: invented tokens bypassed the rate
 * limit (300 of 300 went through from one address, and Run:ai took 300
 * calls in 1.2 s). A token is now a caller of its own only once Run:ai has
 * accepted it; until then its requests are charged to the client address.
 * A token Run:ai refused is refused again for a while without a call.
 */

const count = (stack: Stack) =>
  stack.simulator.requests.filter((r) => r.operation === 'count_nodepools').length;

describe('the rate limit charges what a caller cannot invent', () => {
  it('charges 300 invented tokens from one address to that address: 20 pass, 280 are refused, Run:ai sees 20', async () => {
    const stack = await stackWith({ rateLimitPerMinute: 20 });
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        post(stack.url, { query: '{ nodePoolCount }' }, { token: `invented-${i}` }),
      ),
    );
    const outcomes = answers.map((a) => `${a.status} ${codesOf(a.body).join()}`);
    expect(outcomes.filter((o) => o === '429 RATE_LIMITED')).toHaveLength(280);
    // The 20 that ran: Run:ai answered 401, the field's error.
    expect(outcomes.filter((o) => o === '200 UNAUTHENTICATED')).toHaveLength(20);
    expect(count(stack)).toBe(20);
  });

  it('gives a token Run:ai accepted a budget of its own, and keeps charging the address for the rest', async () => {
    const stack = await stackWith({ rateLimitPerMinute: 3 });
    // Charged to the address (1 of 3); Run:ai accepts the token, whose own budget starts with it (1 of 3).
    expect((await post(stack.url, { query: '{ nodePoolCount }' }, { token: 'demo-viewer' })).status).toBe(
      200,
    );
    // The rest of the token's own budget: 2 more.
    for (let i = 0; i < 2; i++) {
      expect((await post(stack.url, { query: '{ nodePoolCount }' }, { token: 'demo-viewer' })).status).toBe(
        200,
      );
    }
    expect((await post(stack.url, { query: '{ nodePoolCount }' }, { token: 'demo-viewer' })).status).toBe(
      429,
    );
    // The address has 2 left, for invented tokens and tokenless callers alike.
    const invented = await Promise.all(
      ['a', 'b', 'c'].map((t) => post(stack.url, { query: '{ __typename }' }, { token: `invented-${t}` })),
    );
    expect(invented.map((a) => a.status).sort()).toEqual([200, 200, 429]);
  });

  it('charges operations over graphql-ws with an invented token to the address, like HTTP', async () => {
    const stack = await stackWith({ rateLimitPerMinute: 2 });
    const outcomes: WsOutcome[] = [];
    for (let i = 0; i < 3; i++) {
      const client = wsClient(stack.url, `invented-ws-${i}`);
      outcomes.push(await wsOperation(client, { query: '{ __typename }' }).outcome);
      await client.dispose();
    }
    expect(outcomes).toEqual(['ok', 'ok', ['RATE_LIMITED']]);
  });

  it('believes X-Forwarded-For only from TRUSTED_PROXIES', async () => {
    const spoofed = await stackWith({ rateLimitPerMinute: 2 });
    const from = (address: string) => ({ token: null, headers: { 'x-forwarded-for': address } });
    const direct = await Promise.all(
      ['198.51.100.1', '198.51.100.2', '198.51.100.3'].map((a) =>
        post(spoofed.url, { query: '{ __typename }' }, from(a)),
      ),
    );
    // Not behind a trusted proxy: a forged header changes nothing, all three are one caller.
    expect(direct.map((a) => a.status).sort()).toEqual([200, 200, 429]);

    const proxied = await stackWith({ rateLimitPerMinute: 2, trustedProxies: 'loopback' });
    const behind = await Promise.all(
      ['198.51.100.1', '198.51.100.2', '198.51.100.3'].map((a) =>
        post(proxied.url, { query: '{ __typename }' }, from(a)),
      ),
    );
    expect(behind.map((a) => a.status)).toEqual([200, 200, 200]);
  });
});

describe('nothing is kept for a token Run:ai has not accepted', () => {
  it('starts no poller and keeps no APQ document for invented tokens, one process on its own', async () => {
    const stack = await stackWith({ rateLimitPerMinute: 0 });
    for (let i = 0; i < 10; i++) {
      const client = wsClient(stack.url, `invented-live-${i}`);
      const outcome = await wsOperation(client, { query: 'subscription { nodePoolPhaseChanged { kind } }' })
        .outcome;
      expect(outcome).toEqual(['UNAUTHENTICATED']);
      await client.dispose();
      const query = `{ nodePoolCount # ${i}\n }`;
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const apq = await post(
        stack.url,
        { query, extensions: { persistedQuery: { version: 1, sha256Hash } } },
        { token: `invented-apq-${i}` },
      );
      expect(codesOf(apq.body)).toEqual(['UNAUTHENTICATED']);
    }
    expect(stack.app.live?.topicCounts).toEqual({ list: 0, metrics: 0 });
    expect(stack.app.live?.pollCount).toBe(0);
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/^apq_store_bytes 0$/m);
    // One call each: Run:ai judged every token once.
    expect(count(stack)).toBe(20);
  });
});

describe('a token Run:ai refused', () => {
  it('is refused for a while without another call', async () => {
    const stack = await stackWith({ rateLimitPerMinute: 0 });
    const first = await post(stack.url, { query: '{ nodePoolCount }' }, { token: 'revoked' });
    expect([first.status, codesOf(first.body)]).toEqual([200, ['UNAUTHENTICATED']]);
    expect(count(stack)).toBe(1);
    for (let i = 0; i < 5; i++) {
      const again = await post(stack.url, { query: '{ nodePoolCount }' }, { token: 'revoked' });
      expect([again.status, codesOf(again.body)]).toEqual([401, ['UNAUTHENTICATED']]);
      expect(again.body.errors?.[0]?.message).toMatch(/refused this token moments ago/);
    }
    expect(count(stack)).toBe(1);
  });

  it('keeps the verdicts bounded: 20,000 invented tokens hold at most the cap, and refusals expire', () => {
    let now = 1_000_000;
    const verdicts = new CredentialVerdicts({ maxEntries: 1_000, now: () => now });
    for (let i = 0; i < 20_000; i++) verdicts.observe(credentialScope(`invented-${i}`), 401);
    expect(verdicts.size.refused).toBeLessThanOrEqual(1_000);
    expect(verdicts.isRefused(credentialScope('invented-19999'))).toBe(true);
    now += 31_000;
    expect(verdicts.isRefused(credentialScope('invented-19999'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { codesOf, post } from '../helpers/http.js';
import { type WsOutcome, wsClient, wsOperation } from '../helpers/live.js';
import { stackWith } from '../helpers/stack.js';

/**
 * Nothing a caller sends makes the gateway grow without bound or spend
 * without limit: operations per credential per minute, labels of its
 * metrics, answer bodies it reads, samples it would serve.
 */

describe('rate limit per credential', () => {
  it('answers 429 RATE_LIMITED with Retry-After past RATE_LIMIT_PER_MINUTE, for that credential only', async () => {
    const stack = await stackWith({ rateLimitPerMinute: 5 });
    // The first request reaches Run:ai, which accepts the token: from then on it is a caller of its own
    // (that first request was charged to the client address, and the token's own budget starts with it).
    expect((await post(stack.url, { query: '{ nodePoolCount }' }, { token: 'demo-viewer' })).status).toBe(
      200,
    );
    for (let i = 0; i < 4; i++) {
      expect((await post(stack.url, { query: '{ __typename }' }, { token: 'demo-viewer' })).status).toBe(200);
    }
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-viewer' },
      body: JSON.stringify({ query: '{ nodePoolCount }' }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('RATE_LIMITED');
    // Another credential has its own budget.
    expect((await post(stack.url, { query: '{ nodePoolCount }' }, { token: 'demo-admin' })).status).toBe(200);
  });

  it('counts operations over graphql-ws against the same budget', async () => {
    const stack = await stackWith({ rateLimitPerMinute: 3 });
    const client = wsClient(stack.url, 'demo-viewer');
    try {
      const outcomes: WsOutcome[] = [];
      for (let i = 0; i < 4; i++)
        outcomes.push(await wsOperation(client, { query: '{ __typename }' }).outcome);
      expect(outcomes).toEqual(['ok', 'ok', 'ok', ['RATE_LIMITED']]);
    } finally {
      await client.dispose();
    }
  });
});

describe('telemetry', () => {
  it('keeps /metrics bounded after 5,000 invented operation names', async () => {
    const stack = await stackWith();
    const scrape = async () => (await fetch(`${stack.url}/metrics`)).text();
    const series = (text: string) =>
      text.split('\n').filter((l) => l.startsWith('graphql_operations_total{')).length;
    for (let batch = 0; batch < 50; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          post(stack.url, { query: `query Invented${batch}x${i} { __typename }` }),
        ),
      );
    }
    const text = await scrape();
    // 100 names of their own, then `other`.
    expect(series(text)).toBeLessThanOrEqual(102);
    expect(text).toMatch(/graphql_operations_total\{operation="other",outcome="success"\} 4900/);
    expect(text.length).toBeLessThan(200_000);
  });
});

describe('answer size', () => {
  it('refuses a Run:ai answer over upstreamMaxBodyBytes as UPSTREAM_BAD_RESPONSE, without reading it whole', async () => {
    const stack = await stackWith({ upstreamMaxBodyBytes: 256 * 1024 });
    const huge = JSON.stringify({ nodepools: [], padding: 'x'.repeat(4 * 1024 * 1024) });
    stack.simulator.faults.failNext(1, 200, { operation: 'get_nodepools', body: huge });
    const answer = await post(stack.url, { query: '{ nodePools { edges { node { name } } } }' });
    expect(codesOf(answer.body)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect(answer.body.data).toEqual({ nodePools: null });
  });

  it('refuses, before any call, an answer of more metric samples than maxResponseSamples, however small the query', async () => {
    const stack = await stackWith({ maxCost: 100_000_000 });
    // 450 bytes asking for 200 pools × 5 types × 1,000 samples.
    const query =
      '{ nodePools(first: 200) { edges { node { metrics(types: [GPU_UTILIZATION, CPU_UTILIZATION, TOTAL_GPU, GPU_QUOTA, ALLOCATED_GPU], window: { samples: 1000 }) { series { samples { timestamp value } } } } } } }';
    expect(query.length).toBeLessThan(450);
    const answer = await post(stack.url, { query });
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(answer.body.errors?.[0]?.message).toMatch(
      /sample limit of 100000 exceeded: the answer could hold 1000000 samples/,
    );
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

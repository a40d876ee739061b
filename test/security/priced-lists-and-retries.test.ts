import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { codesOf, post } from '../helpers/http.js';
import { wsClient, wsOperation } from '../helpers/live.js';
import { stackWith } from '../helpers/stack.js';

/**
 * Findings 5 and 6 of the fourth security round.
 * 5. `legacyNodePools` was priced as 20 pools whatever the cluster held:
 *    predicted 41, made 77 with no error on a 75-pool cluster. Now the
 *    list is priced by its `first` (default 100), cut there with a
 *    PARTIAL_RESULT error, and any list whose length no argument sets
 *    refuses fields below it that call Run:ai.
 * 6. Retries were outside the budget: with Run:ai answering 503, predicted
 *    61, counted 61, and 181 real calls. A retry is now a call of the
 *    budget, and one past it is not sent.
 */

const LEGACY = `query($cluster: UUID!, $first: Int) {
  legacyNodePools(clusterId: $cluster, first: $first) { id nodePool { name } }
}`;

/** What one operation reports of its budget when asked (`extensions.upstreamCallBudget`). */
type Budget = { predicted: number; limit: number; made?: number };
const budgetOf = (body: Record<string, unknown>) =>
  (body['extensions'] as { upstreamCallBudget?: Budget } | undefined)?.upstreamCallBudget;

describe('a list is priced by what its arguments say', () => {
  it('prices legacyNodePools by `first` on a 75-pool cluster: 1 + first calls at most, and says when it cut the list', async () => {
    const stack = await stackWith({}, { simulator: { pools: 75 } });
    const cluster = SEED_CLUSTER_IDS.prod;
    const answer = await post(stack.url, {
      query: LEGACY,
      variables: { cluster, first: 30 },
      extensions: { upstreamCallBudget: true },
    });
    const pools = (answer.body.data?.['legacyNodePools'] as unknown[] | undefined) ?? [];
    expect(pools).toHaveLength(30);
    expect(codesOf(answer.body)).toEqual(['PARTIAL_RESULT']);
    expect(answer.body.errors?.[0]?.message).toMatch(/holds \d+ node pools; the first 30/);
    const budget = budgetOf(answer.body);
    expect(budget?.predicted).toBe(31);
    expect(stack.simulator.requests.length).toBeLessThanOrEqual(31);
    expect(budget?.made).toBe(stack.simulator.requests.length);
  });

  it('refuses, before any call, a legacy list whose pools would cost more than the budget, over HTTP and graphql-ws', async () => {
    const stack = await stackWith({}, { simulator: { pools: 75 } });
    const three = `query($cluster: UUID!) { legacyNodePools(clusterId: $cluster) { id nodePool {
      a: metrics(types: [GPU_UTILIZATION], window: { samples: 1 }) { missingTypes }
      b: metrics(types: [GPU_UTILIZATION], window: { samples: 2 }) { missingTypes } } } }`;
    const variables = { cluster: SEED_CLUSTER_IDS.prod };
    const answer = await post(stack.url, { query: three, variables });
    expect([answer.status, codesOf(answer.body)]).toEqual([400, ['QUERY_LIMIT_EXCEEDED']]);
    expect(answer.body.errors?.[0]?.message).toMatch(/could make 301 calls/);
    const client = wsClient(stack.url);
    expect(await wsOperation(client, { query: three, variables }).outcome).toEqual(['QUERY_LIMIT_EXCEEDED']);
    await client.dispose();
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses `first` out of 1..500 as bad input', async () => {
    const stack = await stackWith();
    const answer = await post(stack.url, {
      query: LEGACY,
      variables: { cluster: SEED_CLUSTER_IDS.prod, first: 501 },
    });
    expect([answer.status, codesOf(answer.body)]).toEqual([400, ['BAD_USER_INPUT']]);
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

describe('retries are calls of the budget', () => {
  it('sends no more than maxUpstreamCalls to Run:ai while it answers 503, retries included', async () => {
    const stack = await stackWith({ maxUpstreamCalls: 20, circuitVolumeThreshold: 1_000_000 });
    // Every metrics call fails with 503: each is tried three times, if the budget lets it.
    stack.simulator.faults.failNext(1_000, 503, { operation: 'get_nodepool_metrics' });
    const query = `{ nodePools(first: 10) { edges { node { metrics(types: [GPU_UTILIZATION]) { missingTypes } } } } }`;
    const answer = await post(stack.url, { query, extensions: { upstreamCallBudget: true } });
    expect(budgetOf(answer.body)?.predicted).toBe(11);
    // 1 list + 10 metrics calls, and what is left of 20 for their retries: 9.
    expect(stack.simulator.requests).toHaveLength(20);
    expect(budgetOf(answer.body)?.made).toBe(20);
    expect(new Set(codesOf(answer.body))).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
  });
});

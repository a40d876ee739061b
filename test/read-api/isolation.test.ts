import { describe, expect, it } from 'vitest';
import { type GraphQLResponse, type Stack, stackWith } from '../helpers/stack.js';

const LIST = '{ nodePools(first: 50) { edges { node { id runaiId tenantId name } } } }';
type Pool = { id: string; runaiId: string; tenantId: number; name: string };
type List = { nodePools: { edges: { node: Pool }[] } | null };

const TENANT_OF: Record<string, number> = { 'demo-admin': 1001, 'demo-admin-2': 1002 };
const TOKENS = Object.keys(TENANT_OF);

/** `n` queries, alternating between the two tenants' tokens, all started at once. */
async function interleaved(
  stack: Stack,
  n: number,
): Promise<{ token: string; res: GraphQLResponse<List> }[]> {
  const tokens = Array.from({ length: n }, (_, i) => TOKENS[i % TOKENS.length] as string);
  const results = await Promise.all(tokens.map((token) => stack.query<List>(LIST, {}, token)));
  return results.map((res, i) => ({ token: tokens[i] as string, res }));
}

function pools(res: GraphQLResponse<List>): Pool[] {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data?.nodePools?.edges.map((e) => e.node) ?? [];
}

describe('tenant isolation under concurrency', () => {
  it('two tenants querying concurrently each see only their own pools', async () => {
    const stack = await stackWith();
    const results = await interleaved(stack, 10);

    const seen = new Map<string, Set<string>>(TOKENS.map((t) => [t, new Set()]));
    const seenGlobal = new Map<string, Set<string>>(TOKENS.map((t) => [t, new Set()]));
    const firstAnswer = new Map<string, string[]>();
    for (const { token, res } of results) {
      const list = pools(res);
      expect(list.length).toBeGreaterThan(0);
      for (const pool of list) {
        expect(pool.tenantId, `${token} saw pool ${pool.runaiId} of tenant ${pool.tenantId}`).toBe(
          TENANT_OF[token],
        );
        seen.get(token)?.add(pool.runaiId);
        seenGlobal.get(token)?.add(pool.id);
      }
      // Every identical query of one caller gets the same answer.
      const names = list.map((p) => p.runaiId);
      const previous = firstAnswer.get(token);
      if (previous) expect(names).toEqual(previous);
      else firstAnswer.set(token, names);
    }

    const [a, b] = TOKENS.map((t) => seen.get(t) as Set<string>) as [Set<string>, Set<string>];
    expect([...a].filter((id) => b.has(id))).toEqual([]);
    const [ga, gb] = TOKENS.map((t) => seenGlobal.get(t) as Set<string>) as [Set<string>, Set<string>];
    expect([...ga].filter((id) => gb.has(id))).toEqual([]);

    // Every call the gateway made went out with the token of the caller it served.
    const requests = stack.simulator.requests;
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      expect(request.token === undefined ? undefined : TENANT_OF[request.token]).toBe(request.tenantId);
      expect(request.status).toBe(200);
    }
    for (const token of TOKENS) {
      const lists = requests.filter((r) => r.operation === 'get_nodepools' && r.token === token);
      expect(lists.length).toBeGreaterThanOrEqual(1);
      // Identical in-flight calls of one caller may be shared, never multiplied.
      expect(lists.length).toBeLessThanOrEqual(5);
      for (const r of lists) expect(r.tenantId).toBe(TENANT_OF[token]);
    }
  });

  it('shares one in-flight list call per token, never across tokens', async () => {
    const stack = await stackWith();
    // Slow lists: all 10 queries arrive while the first list call of each token is still running.
    stack.simulator.faults.setLatency(300, { operation: 'get_nodepools' });
    const results = await interleaved(stack, 10);

    for (const { token, res } of results) {
      const list = pools(res);
      expect(list.length).toBeGreaterThan(0);
      for (const pool of list) expect(pool.tenantId).toBe(TENANT_OF[token]);
    }
    const lists = stack.simulator.requests.filter((r) => r.operation === 'get_nodepools');
    expect(lists.map((r) => r.tenantId).sort()).toEqual([1001, 1002]);
    for (const r of lists) expect(r.tenantId).toBe(TENANT_OF[r.token ?? '']);

    // Nothing is cached once the calls are done: a later query calls Run:ai again.
    stack.simulator.faults.setLatency(0);
    pools(await stack.query<List>(LIST, {}, 'demo-admin'));
    expect(stack.simulator.countRequests({ operation: 'get_nodepools' })).toBe(3);
  });

  it('a failing call of one tenant does not leak into the other tenant’s shared call', async () => {
    const stack = await stackWith();
    stack.simulator.faults.setLatency(300, { operation: 'get_nodepools' });
    // Revoke tenant 1002's token: its calls fail with 401, tenant 1001's must not.
    stack.simulator.setToken('demo-admin-2', null);
    const results = await interleaved(stack, 10);
    for (const { token, res } of results) {
      if (token === 'demo-admin') {
        for (const pool of pools(res)) expect(pool.tenantId).toBe(1001);
      } else {
        expect(res.data?.nodePools).toBeNull();
        expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
    }
    const lists = stack.simulator.requests.filter((r) => r.operation === 'get_nodepools');
    expect(lists.map((r) => [r.token, r.status]).sort()).toEqual([
      ['demo-admin', 200],
      ['demo-admin-2', 401],
    ]);
  });
});

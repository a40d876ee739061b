import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

interface Page {
  nodePools: {
    totalCount?: number;
    edges: { cursor: string; node: { runaiId: string; name: string; phase: string; clusterId: string } }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  };
}
const PAGE = `edges { cursor node { runaiId name phase clusterId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;

async function page(args: string, variables: Record<string, unknown> = {}) {
  const declared = ['after', 'before'].filter((v) => args.includes(`$${v}`)).map((v) => `$${v}: String`);
  const res = await stack.query<Page>(
    `query${declared.length ? `(${declared.join(', ')})` : ''} { nodePools(${args}) { totalCount ${PAGE} } }`,
    variables,
  );
  expect(res.errors).toBeUndefined();
  return res.data?.nodePools as Page['nodePools'];
}

describe('nodePools connection', () => {
  it('walks forward through every pool with first/after, and the pages add up to totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const p = await page('first: 5, after: $after', { after });
      total = p.totalCount ?? 0;
      seen.push(...p.edges.map((e) => e.node.runaiId));
      expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('serves last/before backwards, using the count for `last` alone', async () => {
    const all = await page('first: 100');
    const ids = all.edges.map((e) => e.node.runaiId);
    stack.simulator.clearRequests();

    const tail = await page('last: 3');
    expect(tail.edges.map((e) => e.node.runaiId)).toEqual(ids.slice(-3));
    expect(tail.pageInfo.hasPreviousPage).toBe(true);
    expect(stack.upstreamCalls()).toEqual({ count_nodepools: 1, get_nodepools: 1 });

    const before = await page('last: 2, before: $before', { before: tail.pageInfo.startCursor });
    expect(before.edges.map((e) => e.node.runaiId)).toEqual(ids.slice(-5, -3));
    expect(before.pageInfo.hasNextPage).toBe(true);
  });

  it('filters with typed conditions translated into one comma-joined filterBy', async () => {
    const p = await page(
      `first: 50, filter: { clusterId: { eq: "${SEED_CLUSTER_IDS.prod}" }, phase: { eq: Ready }, name: { ne: "default" } }`,
    );
    expect(p.edges.length).toBeGreaterThan(0);
    for (const { node } of p.edges) {
      expect(node.clusterId).toBe(SEED_CLUSTER_IDS.prod);
      expect(node.phase).toBe('Ready');
      expect(node.name).not.toBe('default');
    }
    expect(p.totalCount).toBe(p.edges.length);
    const list = stack.simulator.requests.find((r) => r.operation === 'get_nodepools');
    expect(list?.query.filterBy).toBe(`name!=default,phase==Ready,clusterId==${SEED_CLUSTER_IDS.prod}`);
    expect(list?.rawQuery).toContain('filterBy=name%21%3Ddefault%2Cphase%3D%3DReady%2CclusterId%3D%3D');
  });

  it('filters on names, dates and booleans', async () => {
    const byName = await page('first: 50, filter: { name: { startsWith: "a1", endsWith: "00" } }');
    const names = byName.edges.map((e) => e.node.name);
    expect(names).toContain('a100');
    for (const name of names) expect(name).toMatch(/^a1.*00$/);
    const recent = await page('first: 50, filter: { createdAt: { gte: "2025-01-01T00:00:00Z" } }');
    const old = await page('first: 50, filter: { createdAt: { lte: "2025-01-01T00:00:00Z" } }');
    expect((recent.totalCount ?? 0) + (old.totalCount ?? 0)).toBe((await page('first: 1')).totalCount);
    const swap = await page('first: 50, filter: { swapEnabled: true }');
    const requests = stack.simulator.requests.filter((r) => r.operation === 'get_nodepools');
    expect(requests.at(-1)?.query.filterBy).toBe('swapEnabled==true');
    expect(swap.totalCount).toBe(swap.edges.length);
  });

  it('orders by the spec fields in both directions', async () => {
    const asc = await page('first: 50, orderBy: { field: NAME }');
    const names = asc.edges.map((e) => e.node.name);
    expect(names).toEqual([...names].sort());
    const desc = await page('first: 50, orderBy: { field: CREATED_AT, direction: DESC }');
    expect(desc.edges).toHaveLength(asc.edges.length);
    const list = stack.simulator.requests.filter((r) => r.operation === 'get_nodepools').at(-1);
    expect(list?.query).toMatchObject({ sortBy: 'createdAt', sortOrder: 'desc' });
  });

  it('counts with nodePoolCount and the same filter', async () => {
    const res = await stack.query<{ all: number; ready: number }>(
      '{ all: nodePoolCount ready: nodePoolCount(filter: { phase: { eq: Ready } }) }',
    );
    expect(res.data?.all).toBeGreaterThan(res.data?.ready ?? 0);
    expect(stack.upstreamCalls()).toEqual({ count_nodepools: 2 });
  });

  it('uses the count instead of an over-limit list for a page of 500', async () => {
    const p = await page('first: 500');
    expect(p.pageInfo.hasNextPage).toBe(false);
    const list = stack.simulator.requests.find((r) => r.operation === 'get_nodepools');
    expect(list?.query.limit).toBe('500');
    // totalCount and hasNextPage share one count call.
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1, count_nodepools: 1 });
  });

  it('returns null for a pool Run:ai does not know, without an error', async () => {
    const res = await stack.query('{ nodePool(id: "99999") { name } }');
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ nodePool: null });
  });
});

describe('legacyNodePools', () => {
  it('lists a cluster through the deprecated /v1/k8s endpoint and links each pool to its current view', async () => {
    const res = await stack.query<{
      legacyNodePools: {
        id: number;
        name: string;
        status: string;
        nodes: string[];
        nodePool: { runaiId: string; name: string };
      }[];
    }>(
      `{ legacyNodePools(clusterId: "${SEED_CLUSTER_IDS.prod}") { id name status nodes nodePool { runaiId name } } }`,
    );
    expect(res.errors).toBeUndefined();
    const pools = res.data?.legacyNodePools ?? [];
    expect(pools.length).toBeGreaterThan(0);
    for (const pool of pools) {
      expect(pool.nodePool.runaiId).toBe(String(pool.id));
      expect(pool.nodePool.name).toBe(pool.name);
    }
    expect(stack.upstreamCalls()['getNodePools']).toBe(1);
  });
});

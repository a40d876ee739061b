import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DashboardDocument, ListAndRefetchDocument } from '../generated/graphql.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { pools: 80 }, config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

describe('call budget', () => {
  it('answers the reference dashboard query with 52 upstream calls: 1 list, 1 count and 50 metrics', async () => {
    const res = await stack.execute(DashboardDocument, {});
    expect(res.errors).toBeUndefined();
    const pools = res.data?.nodePools?.edges ?? [];
    expect(pools).toHaveLength(50);
    expect(res.data?.nodePools?.totalCount).toBe(80);
    expect(res.data?.nodePools?.pageInfo.hasNextPage).toBe(true);
    for (const { node } of pools) {
      expect(node.gpu?.series.map((s) => s.type)).toEqual(['GPU_UTILIZATION']);
      expect(node.alloc?.series.map((s) => s.type).sort()).toEqual(['ALLOCATED_GPU', 'TOTAL_GPU']);
      expect(node.cpu?.series.map((s) => s.type)).toEqual(['CPU_UTILIZATION']);
      expect(node.gpu?.series[0]?.samples).toHaveLength(20);
    }
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1, count_nodepools: 1, get_nodepool_metrics: 50 });
  });

  it('waits on 50 concurrent calls without a listener-leak warning on the request signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const res = await stack.execute(DashboardDocument, {});
      expect(res.errors).toBeUndefined();
      // Warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('asks Run:ai once per pool for the union of the aliased metric types, in one window', async () => {
    await stack.execute(DashboardDocument, {});
    const metricCalls = stack.simulator.requests.filter((r) => r.operation === 'get_nodepool_metrics');
    const windows = new Set(
      metricCalls.map((r) => `${r.query.start}/${r.query.end}/${r.query.numberOfSamples}`),
    );
    expect(windows.size).toBe(1);
    for (const call of metricCalls) {
      expect(call.query.metricType).toBe('GPU_UTILIZATION,CPU_UTILIZATION,TOTAL_GPU,ALLOCATED_GPU');
    }
    expect(new Set(metricCalls.map((r) => r.path)).size).toBe(50);
  });

  it('fetches the count concurrently with the list, not after it', async () => {
    stack.simulator.faults.setLatency(150, { operation: 'get_nodepools' });
    try {
      await stack.query('{ nodePools(first: 5) { totalCount edges { node { name } } } }');
    } finally {
      stack.simulator.faults.setLatency(0, { operation: 'get_nodepools' });
    }
    const [first, second] = stack.simulator.requests;
    // The count was answered while the (slowed) list was still pending: it was sent before the list returned.
    expect(first?.operation).toBe('count_nodepools');
    expect(second?.operation).toBe('get_nodepools');
  });

  it('does not call /count when totalCount is not selected', async () => {
    await stack.query('{ nodePools(first: 5) { edges { node { name } } pageInfo { hasNextPage } } }');
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1 });
  });

  it('refetches pools listed in the same document by global id with 0 extra calls', async () => {
    const listed = await stack.query<{ nodePools: { edges: { node: { id: string } }[] } }>(
      '{ nodePools(first: 10) { edges { node { id } } } }',
    );
    const ids = listed.data?.nodePools.edges.slice(0, 5).map((e) => e.node.id) ?? [];
    expect(ids).toHaveLength(5);
    stack.simulator.clearRequests();

    const res = await stack.execute(ListAndRefetchDocument, { ids, one: ids[2] as string });
    expect(res.errors).toBeUndefined();
    expect(res.data?.nodes.map((n) => n?.id)).toEqual(ids);
    expect(res.data?.node?.id).toBe(ids[2]);
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1 });
  });

  it('costs one GET per distinct nodePool id, and one for the same id asked twice', async () => {
    await stack.query(
      '{ a: nodePool(id: "3") { name } b: nodePool(id: "4") { name } c: nodePool(id: "5") { name } }',
    );
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 3 });
    stack.simulator.clearRequests();
    await stack.query('{ a: nodePool(id: "3") { name } b: nodePool(id: "3") { phase } }');
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 1 });
  });

  it('accepts the raw Run:ai id and the global id for the same pool', async () => {
    const res = await stack.query<{ raw: { id: string; runaiId: string }; global: { runaiId: string } }>(
      'query($gid: ID!) { raw: nodePool(id: "7") { id runaiId } global: nodePool(id: $gid) { runaiId } }',
      { gid: Buffer.from('NodePool:7').toString('base64') },
    );
    expect(res.data?.raw.runaiId).toBe('7');
    expect(res.data?.global.runaiId).toBe('7');
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 1 });
  });

  it('uses one list call instead of many GETs when asked for many unlisted ids', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => Buffer.from(`NodePool:${i + 1}`).toString('base64'));
    const res = await stack.query<{ nodes: ({ runaiId: string } | null)[] }>(
      'query($ids: [ID!]!) { nodes(ids: $ids) { ... on NodePool { runaiId } } }',
      { ids },
    );
    expect(res.data?.nodes.map((n) => n?.runaiId)).toEqual(ids.map((_, i) => String(i + 1)));
    expect(stack.upstreamCalls()).toEqual({ get_nodepools: 1 });
  });
});

import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { Collected, PHASE_SUBSCRIPTION, sseSubscription, wsClient } from '../helpers/live.js';
import { type Stack, stackWith } from '../helpers/stack.js';

/** A stack of the test's own whose pool list is polled every `pollIntervalMs`. */
const liveStack = (pollIntervalMs = 500): Promise<Stack> => stackWith({ pollIntervalMs });

function subscribe(stack: Stack, token: string | null, variables: Record<string, unknown> = {}) {
  const client = wsClient(stack.url, token);
  onCleanup(() => client.dispose());
  const sub = new Collected(client, variables);
  onCleanup(sub.unsubscribe);
  return sub;
}

/** Waits until the scope of `token` has taken its first snapshot, so later changes are measured against it. */
async function baseline(stack: Stack, token = 'demo-admin') {
  await eventually(() =>
    stack.simulator.requests.some(
      (r) => r.operation === 'get_nodepools' && r.token === token && r.status === 200,
    ),
  );
  await stack.app.live?.ready(token);
}

describe('filters', () => {
  it('delivers only the changes that match ids, cluster and target phase', async () => {
    const stack = await liveStack();
    // Seed pools 2 (prod) and 9 (research) belong to tenant 1001.
    const byId = subscribe(stack, 'demo-admin', { filter: { ids: ['2'] } });
    const byCluster = subscribe(stack, 'demo-admin', { filter: { clusterId: SEED_CLUSTER_IDS.research } });
    const byTarget = subscribe(stack, 'demo-admin', { filter: { phases: { to: ['Unschedulable'] } } });
    const all = subscribe(stack, 'demo-admin');
    await baseline(stack);

    stack.simulator.setPhase('2', 'Unschedulable');
    stack.simulator.setPhase('9', 'Updating');
    await all.until((c) => c.events.length >= 2);
    await byTarget.until((c) => c.events.length >= 1);
    await byCluster.until((c) => c.events.length >= 1);

    expect(byId.events.map((e) => e.nodePool?.runaiId)).toEqual(['2']);
    expect(byCluster.events.map((e) => e.nodePool?.runaiId)).toEqual(['9']);
    expect(byTarget.events.map((e) => [e.nodePool?.runaiId, e.previousPhase, e.phase])).toEqual([
      ['2', 'Ready', 'Unschedulable'],
    ]);
    expect(all.events.map((e) => e.nodePool?.runaiId).sort()).toEqual(['2', '9']);
  });

  it('refuses an id that is not a node pool id', async () => {
    const stack = await liveStack();
    const sub = subscribe(stack, 'demo-admin', { filter: { ids: ['not-an-id'] } });
    await sub.until((c) => c.done || c.errors.length > 0);
    expect(JSON.stringify(sub.errors)).toContain('neither a NodePool global id nor');
  });
});

describe('isolation', () => {
  it('gives each tenant only the changes of its own pools', async () => {
    const stack = await liveStack();
    const tenant1 = subscribe(stack, 'demo-admin');
    const tenant2 = subscribe(stack, 'demo-admin-2');
    await baseline(stack, 'demo-admin');
    await baseline(stack, 'demo-admin-2');
    const own2 = stack.simulator.requests.find((r) => r.token === 'demo-admin-2' && r.status === 200);
    expect(own2).toBeDefined();

    stack.simulator.setPhase('2', 'Unschedulable'); // tenant 1001
    const partnerPool = await stack.query<{ nodePools: { edges: { node: { runaiId: string } }[] } }>(
      '{ nodePools(first: 1) { edges { node { runaiId } } } }',
      {},
      'demo-admin-2',
    );
    const partnerId = partnerPool.data?.nodePools.edges[0]?.node.runaiId as string;
    stack.simulator.setPhase(partnerId, 'Unschedulable'); // tenant 1002

    await tenant1.until((c) => c.events.length >= 1);
    await tenant2.until((c) => c.events.length >= 1);
    expect(tenant1.events.map((e) => e.nodePool?.runaiId)).toEqual(['2']);
    expect(tenant2.events.map((e) => e.nodePool?.runaiId)).toEqual([partnerId]);
    expect(stack.app.live?.topicCounts.list).toBe(2);
  });
});

describe('upstream faults', () => {
  it('keeps subscribers through 503s and delivers changes once Run:ai recovers', async () => {
    const stack = await liveStack();
    const sub = subscribe(stack, 'demo-admin');
    await baseline(stack);
    stack.simulator.faults.failNext(6, 503, { operation: 'get_nodepools' });
    const failedBefore = () =>
      stack.simulator.requests.filter((r) => r.operation === 'get_nodepools' && r.status === 503).length;
    await eventually(() => expect(failedBefore()).toBe(6));
    expect(sub.done).toBe(false);

    stack.simulator.setPhase('3', 'Unschedulable');
    await sub.until((c) => c.events.some((e) => e.nodePool?.runaiId === '3'), 15_000);
    expect(sub.done).toBe(false);
    expect(sub.errors).toEqual([]);
  });

  it('ends the subscriptions of a token that turns 401 with UNAUTHENTICATED', async () => {
    const stack = await liveStack();
    const sub = subscribe(stack, 'demo-viewer');
    const other = subscribe(stack, 'demo-admin');
    await baseline(stack, 'demo-viewer');
    stack.simulator.setToken('demo-viewer', null);
    await sub.until((c) => c.done);
    expect(JSON.stringify(sub.errors)).toContain('UNAUTHENTICATED');
    expect(other.done).toBe(false);
  });
});

describe('transports', () => {
  it('closes a WebSocket that sends no credentials with 4403', async () => {
    const stack = await liveStack();
    const sub = subscribe(stack, null);
    await sub.until((c) => c.done);
    expect((sub.errors[0] as { code?: number }).code).toBe(4403);
  });

  it('delivers the same events over server-sent events', async () => {
    const stack = await liveStack(60_000);
    const sse = await sseSubscription(stack.url, PHASE_SUBSCRIPTION);
    onCleanup(() => sse.close());
    expect(sse.contentType).toContain('text/event-stream');
    await baseline(stack);
    const created = await stack.query<{ createNodePool: { nodePool: { id: string } } }>(
      `mutation { createNodePool(input: { name: "sse-pool", clusterId: "${SEED_CLUSTER_IDS.prod}", labelKey: "k", labelValue: "none" }) { ... on CreateNodePoolPayload { nodePool { id } } } }`,
    );
    const id = created.data?.createNodePool.nodePool.id;

    type PhaseChange = { previousPhase: string | null; phase: string; nodePoolId: string };
    const events = () =>
      sse.payloads.flatMap((p) => (p.data?.['nodePoolPhaseChanged'] as PhaseChange | undefined) ?? []);
    await eventually(
      () => expect(events().some((e) => e.nodePoolId === id && e.phase === 'Empty')).toBe(true),
      {
        timeout: 10_000,
      },
    );
    expect(
      events()
        .filter((e) => e.nodePoolId === id)
        .map((e) => [e.previousPhase, e.phase]),
    ).toEqual([
      [null, 'Creating'],
      ['Creating', 'Empty'],
    ]);
  });
});

/**
 * `nodePoolChanged`: pools created, updated and deleted, from the same shared pool list watcher as
 * `nodePoolPhaseChanged`, over graphql-ws and server-sent events, against a real simulator.
 */
import type { Client } from 'graphql-ws';
import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { describe, expect, it, vi } from 'vitest';
import { onCleanup } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { Collected, expectOneListCallPerPoll, sseSubscription, wsClient } from '../helpers/live.js';
import { type Stack, stackWith } from '../helpers/stack.js';

const POOL_CHANGED = `subscription($filter: NodePoolChangeFilter) {
  nodePoolChanged(filter: $filter) { kind nodePoolId changedFields missedEvents nodePool { runaiId name labelValue phase } }
}`;

interface PoolChangeEvent {
  kind: 'CREATED' | 'UPDATED' | 'DELETED';
  nodePoolId: string;
  changedFields: string[];
  missedEvents: number;
  nodePool: { runaiId: string; name: string; labelValue: string; phase: string | null };
}

/** The events of one `nodePoolChanged` subscription over graphql-ws. */
class PoolChanges {
  readonly events: PoolChangeEvent[] = [];
  readonly errors: unknown[] = [];
  readonly unsubscribe: () => void;
  constructor(client: Client, variables: Record<string, unknown> = {}) {
    this.unsubscribe = client.subscribe<{ nodePoolChanged: PoolChangeEvent }>(
      { query: POOL_CHANGED, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data?.nodePoolChanged) this.events.push(result.data.nodePoolChanged);
        },
        error: (error) => this.errors.push(error),
        complete: () => {},
      },
    );
  }
}

/** A stack of the test's own whose pool list is polled every `pollIntervalMs`, and whose writes take a while. */
const liveStack = (pollIntervalMs = 500): Promise<Stack> =>
  stackWith(
    { pollIntervalMs },
    {
      simulator: { delays: { create: 150, update: 150, delete: 150 } },
      settleDelaysMs: [100, 200, 400, 800],
    },
  );

const lists = (stack: Stack) =>
  stack.simulator.requests.filter((r) => r.operation === 'get_nodepools' && r.token === 'demo-admin').length;

describe('nodePoolChanged', () => {
  it('200 subscribers of each subscription on one token share one list poll per interval', async () => {
    const stack = await liveStack();
    // 8 connections of 50 subscriptions (at most 100 per connection by default).
    const clients = Array.from({ length: 8 }, () => wsClient(stack.url));
    onCleanup(() => Promise.all(clients.map((c) => c.dispose())));
    const changes = Array.from({ length: 200 }, (_, i) => new PoolChanges(clients[i % 4] as Client));
    const phases = Array.from({ length: 200 }, (_, i) => new Collected(clients[4 + (i % 4)] as Client));
    onCleanup(() => {
      for (const s of [...changes, ...phases]) s.unsubscribe();
    });
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(400));
    expect(stack.app.live?.topicCounts).toEqual({ list: 1, metrics: 0 });

    // One list call per poll, whatever the number of subscribers of either kind.
    await expectOneListCallPerPoll(stack.app.live!, () => lists(stack));
  });

  it('a label change made through the gateway reaches subscribers with changedFields naming it', async () => {
    // A long interval: only the settling polls that follow the mutation can deliver the change in time.
    const stack = await liveStack(60_000);
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const all = new PoolChanges(client);
    const onlyPlacement = new PoolChanges(client, { filter: { fields: ['placementStrategy'] } });
    onCleanup(all.unsubscribe);
    onCleanup(onlyPlacement.unsubscribe);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(2));
    await stack.app.live?.ready('demo-admin');

    const patched = await stack.query(
      'mutation { patchNodePool(id: "2", input: { labelValue: "relabelled" }) { __typename } }',
    );
    expect(patched.errors).toBeUndefined();
    // Relabelling moves the pool's nodes to the default pool: that pool changes too.
    await eventually(() => expect(all.events.some((e) => e.nodePool.runaiId === '2')).toBe(true), {
      timeout: 5_000,
    });
    const event = all.events.find((e) => e.nodePool.runaiId === '2');
    expect(event).toMatchObject({
      kind: 'UPDATED',
      missedEvents: 0,
      nodePool: { runaiId: '2', labelValue: 'relabelled' },
    });
    expect(event?.changedFields).toContain('labelValue');
    expect(event?.changedFields).not.toContain('name');
    // The filtered subscriber asked for another field only.
    expect(onlyPlacement.events).toEqual([]);
    expect(all.errors).toEqual([]);
  });

  it('decodes each logged event once in the process, for its subscribers and the response cache alike', async () => {
    // The response cache listens to every pool change; two subscribers of the scope receive it too.
    const stack = await stackWith(
      { pollIntervalMs: 60_000, responseCacheTtlSeconds: 30 },
      { simulator: { delays: { update: 150 } }, settleDelaysMs: [100, 200, 400, 800] },
    );
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const first = new PoolChanges(client);
    const second = new PoolChanges(client);
    onCleanup(first.unsubscribe);
    onCleanup(second.unsubscribe);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(2));
    await stack.app.live?.ready('demo-admin');

    const parse = vi.spyOn(JSON, 'parse');
    onCleanup(() => parse.mockRestore());
    const patched = await stack.query(
      'mutation { patchNodePool(id: "2", input: { labelValue: "decoded-once" }) { __typename } }',
    );
    expect(patched.errors).toBeUndefined();
    const seen = (c: PoolChanges) => c.events.some((e) => e.nodePool.labelValue === 'decoded-once');
    await eventually(() => expect(seen(first) && seen(second)).toBe(true), { timeout: 5_000 });
    // Each logged event of pool 2 (a JSON text naming the new label) was parsed once, not once per reader.
    const decodes = parse.mock.calls.filter(
      ([text]) => typeof text === 'string' && text.includes('"kind":"pool"') && text.includes('decoded-once'),
    );
    expect(decodes).toHaveLength(1);
  });

  it('announces a pool created and deleted through the gateway', async () => {
    const stack = await liveStack(60_000);
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const sub = new PoolChanges(client, { filter: { kinds: ['CREATED', 'DELETED'] } });
    onCleanup(sub.unsubscribe);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    const created = await stack.query<{ createNodePool: { nodePool?: { runaiId: string } } }>(
      `mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { ... on CreateNodePoolPayload { nodePool { runaiId } } } }`,
      {
        input: {
          name: 'live-pool',
          clusterId: SEED_CLUSTER_IDS.prod,
          labelKey: 'node-pool-type',
          labelValue: 'a100',
        },
      },
    );
    const id = created.data?.createNodePool.nodePool?.runaiId;
    expect(id).toBeDefined();
    await eventually(() => expect(sub.events.map((e) => e.kind)).toEqual(['CREATED']), { timeout: 5_000 });
    expect(sub.events[0]?.nodePool.name).toBe('live-pool');
    await stack.query(`mutation { deleteNodePool(id: "${id}") { __typename } }`);
    await eventually(() => expect(sub.events.map((e) => e.kind)).toEqual(['CREATED', 'DELETED']), {
      timeout: 5_000,
    });
  });

  it('backs off while Run:ai answers 429, then recovers and delivers', async () => {
    const stack = await liveStack(500);
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const sub = new PoolChanges(client, { filter: { kinds: ['UPDATED'], ids: ['4'] } });
    onCleanup(sub.unsubscribe);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    stack.simulator.faults.failNext(3, 429, { operation: 'get_nodepools', retryAfterSeconds: 1 });
    const limited = () =>
      stack.simulator.requests.filter((r) => r.operation === 'get_nodepools' && r.status === 429);
    await eventually(() => expect(limited()).toHaveLength(3), { timeout: 15_000 });
    // The failed polls were counted; the subscription stayed open (the spacing is in good-manners.test.ts).
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/^live_polls_total\{kind="list",outcome="error"\} [1-9]/m);
    // Recovered once a poll succeeds again; then a change reaches the subscriber.
    const lastLimited = Math.max(...limited().map((r) => r.seq));
    await eventually(
      () =>
        expect(
          stack.simulator.requests.some(
            (r) => r.operation === 'get_nodepools' && r.status === 200 && r.seq > lastLimited,
          ),
        ).toBe(true),
      { timeout: 15_000 },
    );
    const patched = await stack.query(
      'mutation { patchNodePool(id: "4", input: { labelValue: "after-429" }) { __typename } }',
    );
    expect(patched.errors).toBeUndefined();
    await eventually(() => expect(sub.events.some((e) => e.nodePool.labelValue === 'after-429')).toBe(true), {
      timeout: 10_000,
    });
    expect(sub.errors).toEqual([]);
  });

  it('delivers the same events over server-sent events', async () => {
    const stack = await liveStack(60_000);
    const sse = await sseSubscription(stack.url, POOL_CHANGED);
    onCleanup(() => sse.close());
    expect(sse.contentType).toContain('text/event-stream');
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    await stack.query(
      'mutation { patchNodePool(id: "3", input: { labelValue: "over-sse" }) { __typename } }',
    );
    const changeOfPool3 = () =>
      sse.payloads
        .map((p) => p.data?.['nodePoolChanged'] as { nodePool: { runaiId: string }; changedFields: string[] })
        .find((e) => e?.nodePool.runaiId === '3');
    await eventually(() => expect(changeOfPool3()).toBeDefined(), { timeout: 5_000 });
    expect(changeOfPool3()).toMatchObject({ kind: 'UPDATED', nodePool: { labelValue: 'over-sse' } });
    expect(changeOfPool3()?.changedFields).toContain('labelValue');
  });
});

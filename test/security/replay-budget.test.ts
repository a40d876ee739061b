import type { Client } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { post } from '../helpers/http.js';
import { LABEL_FEED, type LabelFeedEvent, sseSubscription, wsClient } from '../helpers/live.js';
import { type Stack, stackWith } from '../helpers/stack.js';

/**
 * Finding 4 of the fourth security round: a change feed resume was outside
 * the call budget. One subscription with `after` the oldest cursor replayed
 * 19 to 26 events and made 450 Run:ai calls (limit 200), since the budget
 * started again with each event and a resume replays up to 100 at once. A
 * resume now shares the budget with subscribing: it replays only as many
 * events as the budget pays for (the calls one event's selection makes),
 * else it answers RESYNC, and the client refetches with a priced query.
 */

/** Each event of this feed costs two metrics calls: two windows of the event's pool. */
const COSTLY_FEED = `subscription($after: String) {
  nodePoolChanged(after: $after, filter: { ids: ["3"], fields: ["labelValue"] }) {
    kind cursor
    nodePool {
      labelValue
      hour: metrics(types: [GPU_UTILIZATION]) { missingTypes }
      day: metrics(types: [GPU_UTILIZATION], window: { start: "2025-01-01T00:00:00Z", end: "2025-01-02T00:00:00Z" }) { missingTypes }
    }
  }
}`;

const metricsCalls = (stack: Stack) =>
  stack.simulator.requests.filter((r) => r.operation === 'get_nodepool_metrics').length;

/** A cheap feed that keeps the scope watched and sees every change; its events' cursors. */
async function watchedStack(config: Record<string, unknown>) {
  const stack = await stackWith({ pollIntervalMs: 500, ...config });
  const client = wsClient(stack.url);
  onCleanup(() => client.dispose());
  const seen: LabelFeedEvent[] = [];
  onCleanup(
    client.subscribe<{ nodePoolChanged: LabelFeedEvent }>(
      { query: LABEL_FEED },
      {
        next: (r) => r.data && seen.push(r.data.nodePoolChanged),
        error: () => {},
        complete: () => {},
      },
    ),
  );
  await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
  await stack.app.live?.ready('demo-admin');
  // Through the gateway: its watcher polls at once, so each change is an event of its own.
  const relabel = async (value: string) => {
    const patched = await post(stack.url, {
      query: 'mutation($v: String) { patchNodePool(id: "3", input: { labelValue: $v }) { __typename } }',
      variables: { v: value },
    });
    expect(patched.body.errors).toBeUndefined();
    await eventually(() => expect(seen.map((e) => e.nodePool?.labelValue)).toContain(value));
  };
  return { stack, client, seen, relabel };
}

function resumeOverWs(client: Client, after: string) {
  const events: { kind: string; nodePool: unknown }[] = [];
  const errors: unknown[] = [];
  onCleanup(
    client.subscribe<{ nodePoolChanged: { kind: string; nodePool: unknown } }>(
      { query: COSTLY_FEED, variables: { after } },
      {
        next: (r) => {
          if (r.errors) errors.push(...r.errors);
          if (r.data) events.push(r.data.nodePoolChanged);
        },
        error: (e) => errors.push(e),
        complete: () => {},
      },
    ),
  );
  return { events, errors };
}

describe('a resume replays within the call budget', () => {
  it('answers RESYNC over graphql-ws instead of replaying 12 events at 2 calls each past a budget of 20', async () => {
    const { stack, client, seen, relabel } = await watchedStack({ maxUpstreamCalls: 20 });
    await relabel('first');
    const oldest = seen.at(-1)?.cursor as string;
    for (let i = 0; i < 12; i++) await relabel(`missed-${i}`);
    const before = metricsCalls(stack);
    const resumed = resumeOverWs(client, oldest);
    await eventually(() => expect(resumed.events.length).toBeGreaterThan(0));
    expect(resumed.events[0]?.kind).toBe('RESYNC');
    expect(resumed.events).toHaveLength(1);
    expect(metricsCalls(stack) - before).toBe(0);
    expect(resumed.errors).toEqual([]);
  });

  it('replays in full what the budget pays for (5 events at 2 calls at most each), then each live event anew', async () => {
    const { stack, client, seen, relabel } = await watchedStack({ maxUpstreamCalls: 20 });
    await relabel('first');
    const oldest = seen.at(-1)?.cursor as string;
    for (let i = 0; i < 5; i++) await relabel(`missed-${i}`);
    const before = metricsCalls(stack);
    const resumed = resumeOverWs(client, oldest);
    await eventually(() => expect(resumed.events).toHaveLength(5));
    expect(resumed.events.every((e) => e.kind === 'UPDATED')).toBe(true);
    // The replay comes at once: its events share the subscription's loaders (one call per window).
    const replayed = metricsCalls(stack) - before;
    expect(replayed).toBeLessThanOrEqual(10);
    // A live event reads its pool's metrics anew, windows ending at the event.
    await relabel('live');
    await eventually(() => expect(resumed.events).toHaveLength(6));
    expect(metricsCalls(stack) - before - replayed).toBe(2);
    expect(resumed.errors).toEqual([]);
  });

  it('answers RESYNC over SSE with Last-Event-ID past the budget too, and makes no metrics call', async () => {
    const { stack, seen, relabel } = await watchedStack({ maxUpstreamCalls: 20 });
    await relabel('first');
    const oldest = seen.at(-1)?.cursor as string;
    for (let i = 0; i < 12; i++) await relabel(`missed-${i}`);
    const before = metricsCalls(stack);
    const query = COSTLY_FEED.replace('($after: String)', '').replace('after: $after, ', '');
    const sse = await sseSubscription(stack.url, query, 'demo-admin', { 'last-event-id': oldest });
    onCleanup(() => sse.close());
    await eventually(() => expect(sse.payloads.length).toBeGreaterThan(0));
    expect((sse.payloads[0]?.data?.['nodePoolChanged'] as { kind: string } | undefined)?.kind).toBe('RESYNC');
    expect(metricsCalls(stack) - before).toBe(0);
  });
});

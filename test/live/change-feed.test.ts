/**
 * The change feed resumes: each `nodePoolChanged` / `nodePoolPhaseChanged` event carries a cursor; a
 * subscription with `after` (or, over SSE, a `Last-Event-ID` header) gets the events it missed, in order,
 * then live ones, or a RESYNC when the log no longer holds its cursor. One process, no Redis: the log is
 * in memory. Pools are changed at Run:ai directly, as its own UI or CLI would.
 */
import type { Client } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import {
  LABEL_FEED,
  type LabelFeedEvent,
  labelsOf,
  relabelAtRunai,
  sseSubscription,
  wsClient,
} from '../helpers/live.js';
import { type Stack, stackWith } from '../helpers/stack.js';

const LABELS = LABEL_FEED;
type FeedEvent = LabelFeedEvent;

/** One `nodePoolChanged` subscription over graphql-ws, collecting its events and errors. */
function feed(client: Client, after?: string) {
  const events: FeedEvent[] = [];
  const errors: unknown[] = [];
  const extensions: unknown[] = [];
  const unsubscribe = client.subscribe<{ nodePoolChanged: FeedEvent }>(
    { query: LABELS, variables: after === undefined ? {} : { after } },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data.nodePoolChanged);
        extensions.push(result.extensions);
      },
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  onCleanup(unsubscribe);
  return { events, errors, extensions, unsubscribe };
}

const labels = labelsOf;

async function liveStack(config: Record<string, unknown> = {}): Promise<{ stack: Stack; client: Client }> {
  const stack = await stackWith({ pollIntervalMs: 500, ...config });
  const client = wsClient(stack.url);
  onCleanup(() => client.dispose());
  return { stack, client };
}

/** Relabels pool 3 and waits until `watcher` has seen it: each change is its own event. */
async function relabel(stack: Stack, watcher: { events: FeedEvent[] }, value: string): Promise<void> {
  await relabelAtRunai(stack.simulator.url, value);
  await eventually(() => expect(labels(watcher.events)).toContain(value));
}

describe('a change feed that resumes', () => {
  it('replays over graphql-ws exactly the events after `after`, in order, then goes on live', async () => {
    const { stack, client } = await liveStack();
    const keeper = feed(client);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    await relabel(stack, keeper, 'seen');
    const last = keeper.events.at(-1)?.cursor;
    expect(last).toMatch(/^[A-Za-z0-9._-]+$/);
    // The result's extensions carry the cursor too, for clients that do not select the field.
    expect(keeper.extensions.at(-1)).toEqual({ cursor: last });

    for (const value of ['missed-1', 'missed-2', 'missed-3']) await relabel(stack, keeper, value);
    const resumed = feed(client, last ?? undefined);
    await eventually(() => expect(resumed.events).toHaveLength(3));
    await relabel(stack, keeper, 'live');
    await eventually(() =>
      expect(labels(resumed.events)).toEqual(['missed-1', 'missed-2', 'missed-3', 'live']),
    );
    // The same cursors as the subscriber that never left saw, in the same order.
    expect(resumed.events.map((e) => e.cursor)).toEqual(keeper.events.slice(-4).map((e) => e.cursor));
    expect(resumed.errors).toEqual([]);
  });

  it('writes each event’s cursor as its SSE id, and resumes after Last-Event-ID', async () => {
    const { stack, client } = await liveStack();
    const keeper = feed(client);
    const query = LABELS.replace('($after: String)', '').replace('after: $after, ', '');
    const first = await sseSubscription(stack.url, query);
    onCleanup(() => first.close());
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(2));
    await stack.app.live?.ready('demo-admin');
    await relabel(stack, keeper, 'sse-seen');
    await eventually(() => expect(first.payloads).toHaveLength(1));
    const cursor = (first.payloads[0]?.data?.['nodePoolChanged'] as FeedEvent | undefined)?.cursor;
    expect(first.ids).toEqual([cursor]);
    await first.close();

    for (const value of ['sse-1', 'sse-2', 'sse-3']) await relabel(stack, keeper, value);
    // What a reconnecting EventSource sends: the same request, with the last id it saw.
    const again = await sseSubscription(stack.url, query, 'demo-admin', { 'last-event-id': String(cursor) });
    onCleanup(() => again.close());
    await eventually(() => expect(again.payloads).toHaveLength(3));
    const events = again.payloads.map((p) => p.data?.['nodePoolChanged'] as FeedEvent);
    expect(labels(events)).toEqual(['sse-1', 'sse-2', 'sse-3']);
    expect(again.ids).toEqual(events.map((e) => e.cursor));
  });

  it('starts with one RESYNC when the log no longer holds the cursor, then goes on live', async () => {
    const { stack, client } = await liveStack({ liveLogLength: 2 });
    const keeper = feed(client);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    await relabel(stack, keeper, 'old');
    const old = keeper.events.at(-1)?.cursor ?? undefined;
    for (const value of ['r1', 'r2', 'r3']) await relabel(stack, keeper, value);

    const resumed = feed(client, old);
    await eventually(() => expect(resumed.events).toHaveLength(1));
    expect(resumed.events[0]).toEqual({
      kind: 'RESYNC',
      cursor: keeper.events.at(-1)?.cursor,
      nodePool: null,
    });
    await relabel(stack, keeper, 'after-resync');
    await eventually(() => expect(labels(resumed.events)).toEqual(['RESYNC', 'after-resync']));
  });

  it('answers a cursor of no log (another gateway’s, or one before a restart) with RESYNC', async () => {
    const { client } = await liveStack();
    const resumed = feed(client, 'deadbeef.42');
    await eventually(() => expect(labels(resumed.events)).toEqual(['RESYNC']));
  });

  it('announces what changed while nobody polled, from the last state when a poll confirmed it lately', async () => {
    const { stack, client } = await liveStack();
    const first = feed(client);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    await relabel(stack, first, 'before-gap');
    const cursor = first.events.at(-1)?.cursor ?? undefined;
    first.unsubscribe();
    await eventually(() => expect(stack.app.live?.topicCounts.list).toBe(0));

    await relabelAtRunai(stack.simulator.url, 'during-gap');
    const resumed = feed(client, cursor);
    const fresh = feed(client);
    await eventually(() => expect(labels(resumed.events)).toEqual(['during-gap']));
    // A new subscriber may get a change made moments (at most a few intervals) before it came.
    await eventually(() => expect(labels(fresh.events)).toEqual(['during-gap']));
  });

  it('answers RESYNC across a stretch that no poll covered, and tells a new subscriber nothing of it', async () => {
    let offsetMs = 0;
    const stack = await stackWith({ pollIntervalMs: 500 }, { now: () => new Date(Date.now() + offsetMs) });
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const first = feed(client);
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(1));
    await stack.app.live?.ready('demo-admin');
    await relabel(stack, first, 'before-long-gap');
    const cursor = first.events.at(-1)?.cursor ?? undefined;
    first.unsubscribe();
    await eventually(() => expect(stack.app.live?.topicCounts.list).toBe(0));

    // An hour later by the gateway's clock: the last state is no longer known to be current.
    offsetMs = 3_600_000;
    await relabelAtRunai(stack.simulator.url, 'during-long-gap');
    const resumed = feed(client, cursor);
    const fresh = feed(client);
    await eventually(() => expect(labels(resumed.events)).toEqual(['RESYNC']));
    await stack.app.live?.ready('demo-admin');
    await relabel(stack, resumed, 'after-long-gap');
    expect(labels(resumed.events)).toEqual(['RESYNC', 'after-long-gap']);
    await eventually(() => expect(labels(fresh.events)).toEqual(['after-long-gap']));
  });

  it('refuses a malformed cursor or Last-Event-ID before anything reaches Run:ai', async () => {
    const { stack, client } = await liveStack();
    stack.simulator.clearRequests();
    for (const bad of ['', '../../etc', 'x'.repeat(81), 'a b']) {
      const refused = feed(client, bad);
      await eventually(() => expect(refused.errors).toHaveLength(1));
      expect([refused.errors].flat(2)[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    }
    const sse = await sseSubscription(
      stack.url,
      'subscription { nodePoolPhaseChanged { phase } }',
      'demo-admin',
      {
        'last-event-id': 'not a cursor',
      },
    );
    onCleanup(() => sse.close());
    await eventually(() => expect(sse.payloads).toHaveLength(1));
    expect(sse.payloads[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.simulator.countRequests({ operation: 'get_nodepools' })).toBe(0);
  });
});

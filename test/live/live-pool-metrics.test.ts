/**
 * `nodePoolMetrics`: one shared metrics poller per (credential, pool, window), against a real simulator,
 * with the Run:ai calls counted.
 */
import type { Client } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { wsClient } from '../helpers/live.js';
import { type Stack, stackWith } from '../helpers/stack.js';

const LIVE_METRICS = `subscription($id: ID!, $types: [NodePoolMetricType!]!, $window: LiveMetricsWindow) {
  nodePoolMetrics(id: $id, types: $types, window: $window) {
    nodePoolId start end missedEvents series { type samples { value } }
  }
}`;

interface LiveMetricsEvent {
  nodePoolId: string;
  start: string;
  end: string;
  missedEvents: number;
  series: { type: string; samples: { value: number | null }[] }[];
}

/** The events of one `nodePoolMetrics` subscription. */
class MetricsFeed {
  readonly events: LiveMetricsEvent[] = [];
  readonly errors: { message: string; extensions?: Record<string, unknown> }[] = [];
  done = false;
  readonly unsubscribe: () => void;
  constructor(client: Client, variables: Record<string, unknown>) {
    this.unsubscribe = client.subscribe<{ nodePoolMetrics: LiveMetricsEvent }>(
      { query: LIVE_METRICS, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...(result.errors as MetricsFeed['errors']));
          if (result.data?.nodePoolMetrics) this.events.push(result.data.nodePoolMetrics);
        },
        error: (error) => {
          this.errors.push(...(Array.isArray(error) ? error : [error as MetricsFeed['errors'][number]]));
          this.done = true;
        },
        complete: () => {
          this.done = true;
        },
      },
    );
  }
}

/** A stack of the test's own that polls metrics every second (and pool lists too rarely to matter). */
const metricsStack = (): Promise<Stack> =>
  stackWith({ pollIntervalMs: 60_000, metricsPollIntervalMs: 1_000 });

const metricsCalls = (stack: Stack, token = 'demo-admin') =>
  stack.simulator.requests.filter((r) => r.operation === 'get_nodepool_metrics' && r.token === token).length;

describe('nodePoolMetrics', () => {
  it('300 subscribers of one pool share one metrics call per interval, and it stops when the last leaves', async () => {
    const stack = await metricsStack();
    const clients = Array.from({ length: 3 }, () => wsClient(stack.url));
    onCleanup(() => Promise.all(clients.map((c) => c.dispose())));
    const feeds = Array.from(
      { length: 300 },
      (_, i) =>
        new MetricsFeed(clients[i % 3] as Client, {
          id: '2',
          // Different types of one pool and window are merged into one call.
          types: i % 2 === 0 ? ['GPU_UTILIZATION'] : ['GPU_UTILIZATION', 'CPU_UTILIZATION'],
          window: { durationSeconds: 600, samples: 10 },
        }),
    );
    await eventually(() => expect(stack.app.live?.subscriptions).toBe(300));
    expect(stack.app.live?.topicCounts).toEqual({ list: 0, metrics: 1 });
    // Everyone gets the current series first, with only the types they asked for.
    await eventually(() => expect(feeds.every((f) => f.events.length >= 1)).toBe(true));
    expect(feeds[0]?.events[0]?.series.map((s) => s.type)).toEqual(['GPU_UTILIZATION']);
    expect(feeds[1]?.events[0]?.series.map((s) => s.type).sort()).toEqual([
      'CPU_UTILIZATION',
      'GPU_UTILIZATION',
    ]);
    expect(feeds[0]?.events[0]?.series[0]?.samples).toHaveLength(10);
    const [first] = feeds[0]?.events ?? [];
    expect(new Date(first?.end ?? 0).getTime() - new Date(first?.start ?? 0).getTime()).toBe(600_000);

    // Three more intervals: every subscriber got a fresh series each time, from one call per interval.
    const calls = metricsCalls(stack);
    const seen = feeds.map((f) => f.events.length);
    await eventually(() => expect(feeds.every((f, i) => f.events.length >= (seen[i] ?? 0) + 3)).toBe(true), {
      timeout: 10_000,
    });
    const polls = Math.min(...feeds.map((f, i) => f.events.length - (seen[i] ?? 0)));
    // One call per poll, whatever the number of subscribers (±1: a poll may straddle either snapshot).
    expect(metricsCalls(stack) - calls).toBeGreaterThanOrEqual(polls - 1);
    expect(metricsCalls(stack) - calls).toBeLessThanOrEqual(polls + 1);
    // The pool's identity (cluster and name) was read once.
    expect(stack.simulator.requests.filter((r) => r.operation === 'get_nodepool').length).toBe(1);
    expect(feeds.flatMap((f) => f.errors)).toEqual([]);

    for (const feed of feeds) feed.unsubscribe();
    await eventually(() => expect(stack.app.live?.topicCounts).toEqual({ list: 0, metrics: 0 }));
    const after = metricsCalls(stack);
    // A poller of another token and pool, started now, keeps time: by its third metrics call two intervals
    // have passed, and a poller of demo-admin still running would have polled again meanwhile.
    const other = wsClient(stack.url, 'demo-admin-2');
    onCleanup(() => other.dispose());
    const clock = new MetricsFeed(other, { id: '13', types: ['GPU_UTILIZATION'] });
    onCleanup(clock.unsubscribe);
    await eventually(() => expect(metricsCalls(stack, 'demo-admin-2')).toBeGreaterThanOrEqual(3));
    expect(metricsCalls(stack)).toBe(after);
  });

  it('runs one poller per pool and window', async () => {
    const stack = await metricsStack();
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const feeds = [
      new MetricsFeed(client, { id: '2', types: ['GPU_UTILIZATION'] }),
      new MetricsFeed(client, { id: '3', types: ['GPU_UTILIZATION'] }),
      new MetricsFeed(client, { id: '2', types: ['GPU_UTILIZATION'], window: { durationSeconds: 60 } }),
    ];
    onCleanup(() => {
      for (const f of feeds) f.unsubscribe();
    });
    await eventually(() => expect(feeds.every((f) => f.events.length >= 1)).toBe(true));
    expect(stack.app.live?.topicCounts).toEqual({ list: 0, metrics: 3 });
  });

  it('refuses bad arguments before any Run:ai call', async () => {
    const stack = await metricsStack();
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const feeds = [
      new MetricsFeed(client, { id: '2', types: [] }),
      new MetricsFeed(client, { id: 'not-an-id', types: ['GPU_UTILIZATION'] }),
      new MetricsFeed(client, { id: '2', types: ['GPU_UTILIZATION'], window: { durationSeconds: 1 } }),
      new MetricsFeed(client, { id: '2', types: ['GPU_UTILIZATION'], window: { samples: 5000 } }),
    ];
    await eventually(() => expect(feeds.every((f) => f.done)).toBe(true));
    for (const feed of feeds) expect(feed.errors[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(stack.simulator.requests).toEqual([]);
  });

  it('ends with NOT_FOUND when the pool is deleted', async () => {
    const stack = await metricsStack();
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const feed = new MetricsFeed(client, { id: '4', types: ['GPU_UTILIZATION'] });
    onCleanup(feed.unsubscribe);
    await eventually(() => expect(feed.events.length).toBeGreaterThanOrEqual(1));
    stack.simulator.faults.failNext(1, 404, { operation: 'get_nodepool_metrics' });
    await eventually(() => expect(feed.done).toBe(true));
    expect(feed.errors[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect(stack.app.live?.topicCounts.metrics).toBe(0);
  });
});

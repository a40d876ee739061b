/**
 * Live at deployment scale: two replicas of two workers each (real processes, `src/main.ts`), sharing a
 * real redis-server, in front of one simulator whose calls are counted. One process polls Run:ai for a
 * credential scope, the others deliver its events; the change feed resumes on any replica; a killed
 * poller is replaced; Redis going away never ends a subscription; no token ever reaches Redis.
 */

import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { createSimulator, DEFAULT_TOKENS } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCleanupsAfterAll } from '../helpers/cleanup.js';
import { eventually } from '../helpers/eventually.js';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import {
  LABEL_FEED,
  type LabelFeedEvent,
  labelsOf,
  relabelAtRunai,
  sseSubscription,
  wsClient,
} from '../helpers/live.js';
import { RedisServer } from '../helpers/redis-server.js';

const onCleanupAfterAll = useCleanupsAfterAll();
const INTERVAL_MS = 1000;
/** The subscribers' token: a secret of their own (Run:ai names the writer of a change, and the test's writer is demo-admin). */
const TOKEN = `secret-${randomUUID()}`;
const simulator = createSimulator({
  delays: { update: 0 },
  tokens: { ...DEFAULT_TOKENS, [TOKEN]: { tenantId: 1001, role: 'viewer' } },
});
let redis: RedisServer;
let replicas: GatewayProcess[];
/** Every command Redis ran during the file, as MONITOR printed it. */
const monitored: string[] = [];

const FEED = LABEL_FEED;
type FeedEvent = LabelFeedEvent;

/** One subscriber: its own graphql-ws connection (round-robin puts connections on every worker). */
class Subscriber {
  readonly events: FeedEvent[] = [];
  readonly errors: unknown[] = [];
  closed = false;
  private readonly client: Client;
  constructor(
    readonly url: string,
    after?: string,
  ) {
    this.client = wsClient(url, TOKEN);
    onCleanupAfterAll(() => this.client.dispose());
    this.client.subscribe<{ nodePoolChanged: FeedEvent }>(
      { query: FEED, variables: after === undefined ? {} : { after } },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data) this.events.push(result.data.nodePoolChanged);
        },
        error: () => {
          this.closed = true;
        },
        complete: () => {
          this.closed = true;
        },
      },
    );
  }

  get labels(): (string | undefined)[] {
    return labelsOf(this.events);
  }
}

/** A metric summed over label sets matching `labels`, on one replica's /metrics (its workers summed). */
async function metric(replica: GatewayProcess, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => l.includes(labels))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/** Summed over the whole deployment. */
async function deployment(name: string, labels = ''): Promise<number> {
  const values = await Promise.all(replicas.map((replica) => metric(replica, name, labels)));
  return values.reduce((a, b) => a + b, 0);
}

/** Changes pool 3's label at Run:ai itself, as its UI or CLI would: no gateway sees it coming. */
const relabel = (labelValue: string) => relabelAtRunai(simulator.url, labelValue);

const lists = () => simulator.countRequests({ operation: 'get_nodepools' });
const metricsCalls = () => simulator.countRequests({ operation: 'get_nodepool_metrics' });

/**
 * The calls `count` makes over `intervals` poll intervals, with the time it took: one poller makes at
 * most one per interval, plus one for the interval the measure starts in.
 */
async function callsOver(
  count: () => number,
  intervals: number,
): Promise<{ calls: number; intervals: number }> {
  const start = count();
  const began = Date.now();
  await eventually(() => expect(count() - start).toBeGreaterThanOrEqual(intervals), { timeout: 30_000 });
  return { calls: count() - start, intervals: (Date.now() - began) / INTERVAL_MS };
}

/** Records every command Redis runs from now on (until it stops). */
async function monitorRedis(): Promise<void> {
  const client = new Redis(redis.url, { retryStrategy: () => null });
  client.on('error', () => {});
  const monitor = await client.monitor();
  monitor.on('error', () => {});
  onCleanupAfterAll(() => client.disconnect());
  onCleanupAfterAll(() => monitor.disconnect());
  monitor.on('monitor', (_time: string, args: string[]) => monitored.push(args.join(' ')));
}

/** Every value Redis holds, as text: strings, streams' entries, sorted sets' members. */
async function redisContents(client: Redis, keys: string[]): Promise<string> {
  const values = await Promise.all(
    keys.map(async (key) => {
      const type = await client.type(key);
      if (type === 'string') return client.get(key);
      if (type === 'stream') return JSON.stringify(await client.xrange(key, '-', '+'));
      if (type === 'zset') return JSON.stringify(await client.zrange(key, 0, -1));
      return `unexpected ${type}`;
    }),
  );
  return values.join('\n');
}

/** The replica and worker pid of the process that says it polls the list topic (the newest such line). */
function listPoller(): { replica: GatewayProcess; pid: number } {
  for (const replica of replicas) {
    const polling = replica.lines.filter(
      (l) => l['msg'] === 'polling a live topic for the deployment' && l['kind'] === 'list',
    );
    const last = polling.at(-1);
    if (!last) continue;
    const started = replica.lines.filter(
      (l) => l['msg'] === 'worker started' && l['worker'] === last['worker'],
    );
    return { replica, pid: Number(started.at(-1)?.['pid']) };
  }
  throw new Error('no process polls the list');
}

beforeAll(async () => {
  redis = await RedisServer.create();
  onCleanupAfterAll(() => redis.stop());
  await simulator.start(0, '127.0.0.1');
  onCleanupAfterAll(() => simulator.stop());
  await monitorRedis();
  replicas = await Promise.all(
    [0, 1].map(() =>
      startGatewayProcess({
        WORKERS: '2',
        RUNAI_URL: simulator.url,
        REDIS_URL: redis.url,
        POLL_INTERVAL_MS: String(INTERVAL_MS),
        TUNING: JSON.stringify({ metricsPollIntervalMs: INTERVAL_MS, liveLogLength: 5 }),
      }),
    ),
  );
  for (const replica of replicas) onCleanupAfterAll(() => replica.stop());
}, 60_000);

describe('2 replicas × 2 workers sharing Redis', () => {
  const subscribers: Subscriber[] = [];

  it('200 subscribers of one token over all four processes: one list poll per interval, by one process', async () => {
    for (let i = 0; i < 200; i++) subscribers.push(new Subscriber(replicas[i % 2]?.url ?? ''));
    // Every process has subscribers: each of the four delivers the scope's topic.
    await eventually(async () => {
      expect(await deployment('subscriptions_active')).toBe(200);
      expect(await Promise.all(replicas.map((r) => metric(r, 'pollers_active', 'kind="list"')))).toEqual([
        2, 2,
      ]);
    });
    await eventually(async () => expect(await deployment('live_leases_held', 'kind="list"')).toBe(1));
    const { calls, intervals } = await callsOver(lists, 5);
    expect(calls).toBeLessThanOrEqual(Math.floor(intervals) + 1);
    console.info(`200 subscribers on 4 processes: ${calls} list polls in ${intervals.toFixed(1)} intervals`);
    expect(await deployment('live_leases_held', 'kind="list"')).toBe(1);

    await relabel('everyone');
    await eventually(
      () => expect(subscribers.filter((s) => s.labels.includes('everyone'))).toHaveLength(200),
      {
        timeout: 15_000,
      },
    );
  });

  it('100 nodePoolMetrics subscribers of one pool over all four processes: one metrics call per interval', async () => {
    const clients = Array.from({ length: 100 }, (_, i) => {
      const client = wsClient(replicas[i % 2]?.url ?? '', TOKEN);
      onCleanupAfterAll(() => client.dispose());
      return client;
    });
    let received = 0;
    const stops = clients.map((client, i) =>
      client.subscribe(
        {
          query: `subscription { nodePoolMetrics(id: "3", types: [${i % 2 ? 'GPU_UTILIZATION' : 'GPU_MEMORY_UTILIZATION'}], window: { durationSeconds: 600, samples: 10 }) { series { type } } }`,
        },
        { next: () => void received++, error: () => {}, complete: () => {} },
      ),
    );
    await eventually(async () => expect(await deployment('live_leases_held', 'kind="metrics"')).toBe(1));
    await eventually(() => expect(received).toBeGreaterThanOrEqual(200), { timeout: 15_000 });
    const { calls, intervals } = await callsOver(metricsCalls, 4);
    expect(calls).toBeLessThanOrEqual(Math.floor(intervals) + 1);
    console.info(
      `100 metrics subscribers on 4 processes: ${calls} metrics calls in ${intervals.toFixed(1)} intervals`,
    );
    // One call asks for the types of every process's subscribers.
    const last = simulator.requests.filter((r) => r.operation === 'get_nodepool_metrics').at(-1);
    expect(String(last?.rawQuery)).toMatch(/GPU_UTILIZATION/);
    expect(String(last?.rawQuery)).toMatch(/GPU_MEMORY_UTILIZATION/);
    for (const stop of stops) stop();
    await eventually(async () => expect(await deployment('live_leases_held', 'kind="metrics"')).toBe(0));
  });

  it('resumes on the other replica: over SSE with Last-Event-ID, over graphql-ws with after', async () => {
    const query = FEED.replace('($after: String)', '').replace('after: $after, ', '');
    const [a, b] = replicas as [GatewayProcess, GatewayProcess];
    const sse = await sseSubscription(a.url, query, TOKEN);
    const ws = new Subscriber(a.url);
    await eventually(async () => expect(await deployment('subscriptions_active')).toBe(202));
    await relabel('before-leaving');
    await eventually(() => expect(sse.payloads).toHaveLength(1));
    await eventually(() => expect(ws.labels).toEqual(['before-leaving']));
    const [lastId] = sse.ids;
    expect(lastId).toBe((sse.payloads[0]?.data?.['nodePoolChanged'] as FeedEvent | undefined)?.cursor);
    await sse.close();

    const keeper = subscribers[0] as Subscriber;
    for (const value of ['away-1', 'away-2', 'away-3']) {
      await relabel(value);
      await eventually(() => expect(keeper.labels).toContain(value));
    }
    const again = await sseSubscription(b.url, query, TOKEN, { 'last-event-id': String(lastId) });
    onCleanupAfterAll(() => again.close());
    const resumed = new Subscriber(b.url, ws.events[0]?.cursor ?? undefined);
    await eventually(() => expect(again.payloads).toHaveLength(3));
    await relabel('back');
    const labelsOf = (payloads: typeof again.payloads) =>
      payloads.map((p) => (p.data?.['nodePoolChanged'] as FeedEvent | undefined)?.nodePool?.labelValue);
    await eventually(() => expect(labelsOf(again.payloads)).toEqual(['away-1', 'away-2', 'away-3', 'back']));
    await eventually(() => expect(resumed.labels).toEqual(['away-1', 'away-2', 'away-3', 'back']));
    expect(await deployment('live_replayed_events_total')).toBeGreaterThanOrEqual(6);
  });

  it('answers a cursor older than the log (liveLogLength=5) with RESYNC first', async () => {
    const keeper = subscribers[0] as Subscriber;
    const old = keeper.events.at(-1)?.cursor ?? undefined;
    for (const value of ['o1', 'o2', 'o3', 'o4', 'o5', 'o6']) {
      await relabel(value);
      await eventually(() => expect(keeper.labels).toContain(value));
    }
    const resumed = new Subscriber(replicas[1]?.url ?? '', old);
    await eventually(() => expect(resumed.labels).toEqual(['RESYNC']));
    expect(resumed.events[0]?.cursor).toBe(keeper.events.at(-1)?.cursor);
    expect(await deployment('live_resyncs_total')).toBeGreaterThanOrEqual(1);
  });

  it('replaces a poller killed with SIGKILL: every subscriber sees the next change, resumed ones too', async () => {
    const { replica, pid } = listPoller();
    const handoversBefore = await deployment('live_lease_handovers_total', 'kind="list"');
    const before = lists();
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    // The subscribers on the killed worker lost their connection; they come back with their last cursor.
    await eventually(() => expect(subscribers.some((s) => s.closed)).toBe(true));
    await relabel('after-kill');
    const survivors = subscribers.filter((s) => !s.closed);
    const returning = subscribers
      .filter((s) => s.closed)
      .map((s) => new Subscriber(replica.url, s.events.at(-1)?.cursor ?? undefined));
    for (const group of [survivors, returning]) {
      await eventually(
        () => expect(group.filter((s) => s.labels.includes('after-kill'))).toHaveLength(group.length),
        {
          timeout: 20_000,
        },
      );
    }
    await eventually(async () => {
      expect(await deployment('live_leases_held', 'kind="list"')).toBe(1);
      expect(await deployment('live_lease_handovers_total', 'kind="list"')).toBe(handoversBefore + 1);
    });
    // Through the handover, no more than one poll per interval, as if nothing had happened.
    const [polls, elapsedMs] = [lists() - before, Date.now() - killedAt];
    expect(polls).toBeLessThanOrEqual(Math.floor(elapsedMs / INTERVAL_MS) + 1);
    console.info(
      `handover: ${returning.length} subscribers resumed elsewhere; ${polls} list polls in ${elapsedMs} ms`,
    );
  });

  it('goes on while Redis is down (each process polls for itself), and shares one poll again once it is back', async () => {
    await redis.stop();
    await relabel('redis-down');
    const alive = subscribers.filter((s) => !s.closed);
    await eventually(
      () => expect(alive.filter((s) => s.labels.includes('redis-down'))).toHaveLength(alive.length),
      {
        timeout: 20_000,
      },
    );
    expect(alive.every((s) => !s.closed)).toBe(true);
    await redis.start();
    await monitorRedis();
    await eventually(async () => expect(await deployment('live_leases_held', 'kind="list"')).toBe(1), {
      timeout: 20_000,
    });
    const { calls, intervals } = await callsOver(lists, 4);
    expect(calls).toBeLessThanOrEqual(Math.floor(intervals) + 1);
    await relabel('redis-back');
    await eventually(
      () => expect(alive.filter((s) => s.labels.includes('redis-back'))).toHaveLength(alive.length),
      {
        timeout: 15_000,
      },
    );
  });

  it('never puts a token in Redis: no key, value, channel or command holds one', async () => {
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      const contents = await redisContents(client, keys);
      expect(contents).toContain('labelValue');
      expect(contents).not.toContain('unexpected');
      expect(keys.join(' ') + contents).not.toContain(TOKEN);
    } finally {
      client.disconnect();
    }
    expect(monitored.length).toBeGreaterThan(100);
    expect(monitored.filter((command) => command.includes(TOKEN))).toEqual([]);
  });
});

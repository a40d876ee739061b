/**
 * Fan-out: many subscribers on one token share one phase watcher. Opens
 * `options.subscribers` graphql-ws subscriptions (spread over connections of
 * at most 100, the gateway's default per-connection limit) against a gateway
 * polling every second, and measures the gateway's resident memory before and
 * after, and the list polls it makes per interval.
 */

import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { PHASE_SUBSCRIPTION } from '../../test/helpers/live.js';
import { round } from '../lib/load.js';
import { type Child, startGateway, startSimulator } from '../lib/processes.js';
import { scrape } from '../lib/scrape.js';
import type { Scenario } from '../lib/types.js';

const TOKEN = 'demo-admin';
const POLL_INTERVAL_MS = 1000;
/** The smallest metrics interval the gateway accepts. */
const METRICS_INTERVAL_MS = 1000;
const POOL_CHANGED = 'subscription { nodePoolChanged { kind nodePoolId changedFields } }';
const POOL_METRICS =
  'subscription { nodePoolMetrics(id: "2", types: [GPU_UTILIZATION]) { series { latest { value } } } }';
/** The gateway's default `wsMaxSubscriptionsPerConnection`. */
const PER_CONNECTION = 100;
const MB = 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function metric(gateway: Child, name: string): Promise<number> {
  const value = (await scrape(gateway)).get(name);
  if (value === undefined) throw new Error(`/metrics has no ${name}`);
  return value;
}

/** Median of a few samples of RSS and heap, 200 ms apart (GC cannot be forced in another process). */
async function memory(
  gateway: Child,
  samples = 5,
): Promise<{ rss: number; heapUsed: number; external: number }> {
  const rss: number[] = [];
  const heapUsed: number[] = [];
  const external: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(200);
    const m = await scrape(gateway);
    rss.push(m.get('process_resident_memory_bytes') ?? Number.NaN);
    heapUsed.push(m.get('nodejs_heap_size_used_bytes') ?? Number.NaN);
    external.push(m.get('nodejs_external_memory_bytes') ?? Number.NaN);
  }
  return { rss: median(rss), heapUsed: median(heapUsed), external: median(external) };
}

/** Waits until a gauge of the gateway has `expected`, checking every 100 ms. */
async function untilMetric(gateway: Child, name: string, expected: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await metric(gateway, name);
    if (value === expected) return;
    if (Date.now() > deadline) throw new Error(`${name} is ${value}, expected ${expected}`);
    await sleep(100);
  }
}

async function graphql(gateway: Child, query: string): Promise<void> {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: unknown };
  if (!res.ok || body.errors) throw new Error(`warm-up query failed: ${res.status} ${JSON.stringify(body)}`);
}

interface Recorded {
  operation: string;
}

async function simulatorRequests(simulator: Child): Promise<Recorded[]> {
  const res = await fetch(`${simulator.url}/_simulator/requests`);
  return (await res.json()) as Recorded[];
}

async function clearSimulatorRequests(simulator: Child): Promise<void> {
  const res = await fetch(`${simulator.url}/_simulator/requests`, { method: 'DELETE' });
  await res.body?.cancel();
}

function client(gateway: Child, errors: unknown[]): Client {
  return createClient({
    url: gateway.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${TOKEN}` },
    onNonLazyError: (error) => errors.push(error),
  });
}

/** Opens `count` subscriptions on `clients`, at most PER_CONNECTION each; collects their errors. */
function subscribeAll(
  clients: Client[],
  count: number,
  errors: unknown[],
  query = PHASE_SUBSCRIPTION,
): () => void {
  const unsubscribes: (() => void)[] = [];
  for (let i = 0; i < count; i++) {
    const c = clients[Math.floor(i / PER_CONNECTION)]!;
    unsubscribes.push(
      c.subscribe(
        { query },
        {
          next: (result) => {
            if (result.errors) errors.push(...result.errors);
          },
          error: (error) => errors.push(error),
          complete: () => undefined,
        },
      ),
    );
  }
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}

/**
 * Calls of one operation the simulator received over `intervals` intervals, counted from half an
 * interval after one, so that no poll falls near either end of the window (the interval runs from the
 * end of one poll, so a window starting just after one misses the last).
 */
async function callsPerWindow(simulator: Child, operation: string, intervalMs: number, intervals: number) {
  await clearSimulatorRequests(simulator);
  const deadline = Date.now() + intervalMs * 5;
  while (!(await simulatorRequests(simulator)).some((r) => r.operation === operation)) {
    if (Date.now() > deadline) throw new Error(`no ${operation} poll`);
    await sleep(20);
  }
  await sleep(intervalMs / 2);
  await clearSimulatorRequests(simulator);
  await sleep(intervals * intervalMs);
  return (await simulatorRequests(simulator)).filter((r) => r.operation === operation).length;
}

export const fanOut: Scenario = async (options) => {
  const subscribers = options.subscribers;
  const intervals = options.intervals;
  const connections = Math.ceil(subscribers / PER_CONNECTION);
  const clients: Client[] = [];
  const changeClients: Client[] = [];
  const metricsClients: Client[] = [];
  let simulator: Child | undefined;
  let gateway: Child | undefined;
  try {
    simulator = await startSimulator();
    gateway = await startGateway(simulator.url, {
      POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      TUNING: JSON.stringify({ metricsPollIntervalMs: METRICS_INTERVAL_MS }),
    });

    // Warm-up: a few queries, and one subscription so that the WebSocket path (ws, graphql-ws,
    // the watcher) is loaded and compiled before the baseline: its one-off cost is not per subscriber.
    for (let i = 0; i < 3; i++) {
      await graphql(gateway, '{ nodePools(first: 10) { edges { node { id name phase } } } nodePoolCount }');
    }
    const warmErrors: unknown[] = [];
    const warm = client(gateway, warmErrors);
    const endWarm = subscribeAll([warm], 1, warmErrors);
    await untilMetric(gateway, 'subscriptions_active', 1);
    await sleep(POLL_INTERVAL_MS * 1.5);
    endWarm();
    await warm.dispose();
    await untilMetric(gateway, 'subscriptions_active', 0);
    await untilMetric(gateway, 'pollers_active{kind="list"}', 0);
    if (warmErrors.length > 0) throw new Error(`warm-up subscription failed: ${JSON.stringify(warmErrors)}`);
    await sleep(1000);
    const before = await memory(gateway);

    const errors: unknown[] = [];
    for (let i = 0; i < connections; i++) clients.push(client(gateway, errors));
    subscribeAll(clients, subscribers, errors);
    const openDeadline = Date.now() + 60_000;
    while ((await metric(gateway, 'subscriptions_active')) !== subscribers) {
      if (errors.length > 0) throw new Error(`subscriptions failed: ${JSON.stringify(errors.slice(0, 3))}`);
      if (Date.now() > openDeadline) throw new Error(`subscriptions_active did not reach ${subscribers}`);
      await sleep(100);
    }
    await sleep(1000);
    const after = await memory(gateway);

    const polls = await callsPerWindow(simulator, 'get_nodepools', POLL_INTERVAL_MS, intervals);
    const pollers = await metric(gateway, 'pollers_active{kind="list"}');
    const stillOpen = await metric(gateway, 'subscriptions_active');
    if (errors.length > 0) throw new Error(`subscriptions failed: ${JSON.stringify(errors.slice(0, 3))}`);

    // As many nodePoolChanged subscribers again, on more connections: still one list poll per interval.
    for (let i = 0; i < connections; i++) changeClients.push(client(gateway, errors));
    subscribeAll(changeClients, subscribers, errors, POOL_CHANGED);
    await untilMetric(gateway, 'subscriptions_active', 2 * subscribers);
    const sharedPolls = await callsPerWindow(simulator, 'get_nodepools', POLL_INTERVAL_MS, intervals);
    // And as many nodePoolMetrics subscribers of one pool: one metrics call per interval.
    for (let i = 0; i < connections; i++) metricsClients.push(client(gateway, errors));
    subscribeAll(metricsClients, subscribers, errors, POOL_METRICS);
    await untilMetric(gateway, 'subscriptions_active', 3 * subscribers);
    const metricsCalls = await callsPerWindow(
      simulator,
      'get_nodepool_metrics',
      METRICS_INTERVAL_MS,
      intervals,
    );
    const metricsPollers = await metric(gateway, 'pollers_active{kind="metrics"}');
    if (errors.length > 0) throw new Error(`subscriptions failed: ${JSON.stringify(errors.slice(0, 3))}`);

    const figures = {
      subscribers,
      connections,
      pollers,
      listPollsPerInterval: round(polls / intervals),
      listPollsPerIntervalWithPoolChanged: round(sharedPolls / intervals),
      metricsPollers,
      metricsCallsPerInterval: round(metricsCalls / intervals),
      rssBeforeMb: round(before.rss / MB, 1),
      rssAfterMb: round(after.rss / MB, 1),
      bytesPerSubscriber: Math.round(
        (after.heapUsed - before.heapUsed + Math.max(0, after.external - before.external)) / subscribers,
      ),
      rssPerSubscriber: Math.round((after.rss - before.rss) / subscribers),
      heapUsedPerSubscriber: Math.round((after.heapUsed - before.heapUsed) / subscribers),
      externalPerSubscriber: Math.round((after.external - before.external) / subscribers),
    };
    const targets = {
      'listPollsPerInterval <= 1.2': figures.listPollsPerInterval <= 1.2,
      'pollers == 1': pollers === 1,
      'listPollsPerIntervalWithPoolChanged <= 1.2': figures.listPollsPerIntervalWithPoolChanged <= 1.2,
      'metricsCallsPerInterval <= 1.2': figures.metricsCallsPerInterval <= 1.2,
      'metricsPollers == 1': metricsPollers === 1,
      'bytesPerSubscriber < 20000': figures.bytesPerSubscriber < 20_000,
      [`subscriptions_active == ${subscribers} after the window`]: stillOpen === subscribers,
    };
    const target: Record<string, string> = {
      pollers: '== 1',
      listPollsPerInterval: '<= 1.2',
      listPollsPerIntervalWithPoolChanged: '<= 1.2',
      metricsPollers: '== 1',
      metricsCallsPerInterval: '<= 1.2',
      bytesPerSubscriber: '< 20000',
    };
    const notes: Record<string, string> = {
      connections: `at most ${PER_CONNECTION} subscriptions each`,
      listPollsPerInterval: `${polls} get_nodepools in ${intervals} × ${POLL_INTERVAL_MS} ms`,
      listPollsPerIntervalWithPoolChanged: `${subscribers} nodePoolPhaseChanged + ${subscribers} nodePoolChanged subscribers: ${sharedPolls} get_nodepools in ${intervals} × ${POLL_INTERVAL_MS} ms`,
      metricsCallsPerInterval: `${subscribers} nodePoolMetrics subscribers of one pool: ${metricsCalls} metrics calls in ${intervals} × ${METRICS_INTERVAL_MS} ms`,
      bytesPerSubscriber:
        'memory held per subscriber: V8 heap + external (Buffers, ws), WebSocket connections amortized',
      rssPerSubscriber:
        'RSS delta / subscribers: also counts heap growth V8 keeps reserved, so it runs higher and noisier',
      heapUsedPerSubscriber: 'V8 heap used delta / subscribers (no forced GC)',
      externalPerSubscriber: 'external (Buffers, ws) delta / subscribers',
    };
    return {
      name: 'fan-out',
      rows: Object.entries(figures).map(([figure, value]) => ({
        figure,
        value,
        target: target[figure] ?? '',
        note: notes[figure] ?? '',
      })),
      figures,
      targets,
    };
  } finally {
    await Promise.allSettled([...clients, ...changeClients, ...metricsClients].map((c) => c.dispose()));
    await gateway?.stop();
    await simulator?.stop();
  }
};

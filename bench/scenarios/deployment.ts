/**
 * The deployment case of fan-out: S credential scopes (tokens), each with
 * subscribers on every process of the gateway, with 1 and with 4 processes
 * (`WORKERS`). Counts the list polls Run:ai receives per interval. Pollers
 * shared across the deployment make it S whatever the processes; pollers per
 * process made it S × processes. (Across replicas the same holds with
 * Redis: test/redis/deployment.test.ts.)
 */

import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { round } from '../lib/load.js';
import { type Child, startGateway, startSimulator } from '../lib/processes.js';
import { scrape } from '../lib/scrape.js';
import { clearCalls, upstreamCalls } from '../lib/simulator-control.js';
import type { Scenario } from '../lib/types.js';

const POLL_INTERVAL_MS = 1000;
const SCOPES = 10;
const PROCESSES = [1, 4] as const;
const tokenOf = (scope: number) => `bench-scope-${scope}`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Subscribers of every scope on every worker: round-robin hands connections to the workers in turn. */
async function subscribeEverywhere(gateway: Child, processes: number, clients: Client[]): Promise<void> {
  for (let round = 0; round < 2; round++) {
    for (let scope = 0; scope < SCOPES; scope++) {
      for (let p = 0; p < processes; p++) {
        const client = createClient({
          url: `${gateway.url.replace(/^http/, 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          connectionParams: { authorization: `Bearer ${tokenOf(scope)}` },
        });
        clients.push(client);
        client.subscribe(
          { query: 'subscription { nodePoolChanged { kind nodePoolId } }' },
          { next: () => undefined, error: () => undefined, complete: () => undefined },
        );
      }
    }
  }
  const wanted = 2 * SCOPES * processes;
  const deadline = Date.now() + 60_000;
  while ((await scrape(gateway)).get('subscriptions_active') !== wanted) {
    if (Date.now() > deadline) throw new Error(`subscriptions_active did not reach ${wanted}`);
    await sleep(100);
  }
}

/** List polls per interval over `intervals` intervals, from half an interval after the pollers settled. */
async function listPollsPerInterval(simulator: Child, intervals: number): Promise<number> {
  await sleep(3 * POLL_INTERVAL_MS);
  await clearCalls(simulator.url);
  await sleep(intervals * POLL_INTERVAL_MS);
  return ((await upstreamCalls(simulator.url))['get_nodepools'] ?? 0) / intervals;
}

export const deployment: Scenario = async (options) => {
  const intervals = Math.max(options.intervals, 2);
  const tokens = Object.fromEntries(
    Array.from({ length: SCOPES }, (_, i) => [tokenOf(i), { tenantId: 1001, role: 'viewer' }]),
  );
  const simulator = await startSimulator(0, { SIMULATOR_TOKENS: JSON.stringify(tokens) });
  const figures: Record<string, number> = { scopes: SCOPES };
  try {
    for (const processes of PROCESSES) {
      const clients: Client[] = [];
      const gateway = await startGateway(simulator.url, {
        WORKERS: String(processes),
        POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      });
      try {
        await subscribeEverywhere(gateway, processes, clients);
        figures[`listPollsPerInterval${processes}`] = round(await listPollsPerInterval(simulator, intervals));
        figures[`leases${processes}`] = (await scrape(gateway)).get('live_leases_held{kind="list"}') ?? 0;
      } finally {
        await Promise.allSettled(clients.map((client) => client.dispose()));
        await gateway.stop();
      }
    }
  } finally {
    await simulator.stop();
  }
  const rows = PROCESSES.map((processes) => ({
    figure: `listPollsPerInterval${processes}`,
    value: figures[`listPollsPerInterval${processes}`] ?? Number.NaN,
    target: `<= ${SCOPES * 1.2}`,
    note: `${SCOPES} scopes, subscribers on each of ${processes} process(es); one poller per scope would be ${SCOPES}, one per scope and process ${SCOPES * processes}`,
  }));
  return {
    name: 'deployment fan-out',
    rows,
    figures,
    targets: Object.fromEntries(
      PROCESSES.map((processes) => [
        `listPollsPerInterval${processes} <= ${SCOPES * 1.2}`,
        (figures[`listPollsPerInterval${processes}`] ?? Number.POSITIVE_INFINITY) <= SCOPES * 1.2,
      ]),
    ),
  };
};

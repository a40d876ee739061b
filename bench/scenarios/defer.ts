import { round } from '../lib/load.js';
import { startGateway, startSimulator } from '../lib/processes.js';
import { clearCalls } from '../lib/simulator-control.js';
import type { Scenario } from '../lib/types.js';

const AUTHORIZATION = 'Bearer demo-admin';

/** A dashboard page whose metrics are deferred: the rows need only the list call. */
const DEFERRED_DASHBOARD = `query DeferredDashboard {
  nodePools(first: 20) {
    edges {
      node {
        id
        name
        phase
        ... @defer {
          metrics(types: [GPU_UTILIZATION]) { series { type latest { value } samples { timestamp value } } }
        }
      }
    }
  }
}`;

/** The same rows without the deferred metrics: what the gateway adds to the list call by itself. */
const ROWS_ONLY = 'query Rows { nodePools(first: 20) { edges { node { id name phase } } } }';

/** Sequential runs of each path, interleaved so a burst of noise on the machine hits them all alike. */
const RUNS = 50;
const WARMUP_RUNS = 30;

/**
 * Posts a query (the deferred dashboard by default) asking for
 * multipart/mixed, as Apollo Client does, and times the first payload and
 * the last; the body is read to its end, so runs do not overlap.
 */
async function firstPayload(
  url: string,
  query = DEFERRED_DASHBOARD,
): Promise<{ firstMs: number; lastMs: number }> {
  const started = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: AUTHORIZATION, 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query }),
  });
  if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status} from the gateway`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let firstMs: number | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    // Yoga writes the boundary first, at once: the first payload is complete at its closing `hasNext`.
    if (firstMs === undefined && text.includes('"hasNext":true}')) firstMs = performance.now() - started;
  }
  const lastMs = performance.now() - started;
  // A query without @defer is one payload: it is complete when the body is.
  if (query === DEFERRED_DASHBOARD && firstMs === undefined) throw new Error('no incremental delivery');
  return { firstMs: firstMs ?? lastMs, lastMs };
}

/** The list call the gateway made for the page (path and query string), from the simulator's request log. */
async function listCallOf(simulatorUrl: string): Promise<string> {
  const res = await fetch(`${simulatorUrl}/_simulator/requests`);
  const requests = (await res.json()) as { operation: string; path: string; rawQuery: string }[];
  const list = requests.find((r) => r.operation === 'get_nodepools');
  if (!list) throw new Error('the gateway made no list call');
  return `${list.path}?${list.rawQuery}`;
}

/** A bare client calling Run:ai's list endpoint directly, as the gateway does, body read. */
async function listDirectly(simulatorUrl: string, path: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${simulatorUrl}${path}`, { headers: { authorization: AUTHORIZATION } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${path}`);
  return performance.now() - started;
}

const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/**
 * `@defer`: time to the first payload of a dashboard whose metrics are
 * deferred (the pool rows), against the latency of the one upstream call
 * those rows need, made by a bare client (same token, same page size).
 */
export const defer: Scenario = async () => {
  const simulator = await startSimulator(80);
  // The response cache off: this scenario times the first payload of calls actually made (the cache's own: response-cache.ts).
  const gateway = await startGateway(simulator.url, { RESPONSE_CACHE_TTL_SECONDS: '0' });
  try {
    await clearCalls(simulator.url);
    await firstPayload(gateway.url);
    const listPath = await listCallOf(simulator.url);
    const list: number[] = [];
    const rows: number[] = [];
    const first: number[] = [];
    const last: number[] = [];
    for (let i = -WARMUP_RUNS; i < RUNS; i++) {
      const listMs = await listDirectly(simulator.url, listPath);
      const rowsOnly = await firstPayload(gateway.url, ROWS_ONLY);
      const deferred = await firstPayload(gateway.url);
      if (i < 0) continue;
      list.push(listMs);
      rows.push(rowsOnly.lastMs);
      first.push(deferred.firstMs);
      last.push(deferred.lastMs);
    }
    await clearCalls(simulator.url);
    const figures = {
      listP50Ms: p50(list),
      rowsOnlyP50Ms: p50(rows),
      firstPayloadP50Ms: p50(first),
      lastPayloadP50Ms: p50(last),
      addedP50Ms: p50(first) - p50(list),
    };
    return {
      name: 'defer (time to first payload, concurrency 1)',
      rows: [
        {
          path: `Run:ai list call, bare client (${listPath})`,
          p50Ms: round(figures.listP50Ms, 2),
          runs: RUNS,
        },
        { path: 'gateway, the same rows without @defer', p50Ms: round(figures.rowsOnlyP50Ms, 2), runs: RUNS },
        {
          path: 'gateway, deferred dashboard: first payload (20 pool rows)',
          p50Ms: round(figures.firstPayloadP50Ms, 2),
          runs: RUNS,
        },
        {
          path: 'gateway, deferred dashboard: last payload (20 × metrics)',
          p50Ms: round(figures.lastPayloadP50Ms, 2),
          runs: RUNS,
        },
      ],
      figures,
      targets: { 'time to first payload ≤ list latency + 2 ms': figures.addedP50Ms <= 2 },
    };
  } finally {
    await gateway.stop();
    await simulator.stop();
  }
};

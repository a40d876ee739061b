import { DASHBOARD, SINGLE_POOL } from '../lib/documents.js';
import { measureLatency } from '../lib/latency.js';
import { graphqlRequest, load, round } from '../lib/load.js';
import { startGateway, startSimulator, startStubUpstream } from '../lib/processes.js';
import { clearCalls, total, upstreamCalls } from '../lib/simulator-control.js';
import type { Scenario } from '../lib/types.js';

const CONNECTIONS = 32;
/** Alternating rounds of the cache on and off: a burst of noise on the shared machine hits both alike. */
const ROUNDS = 4;

const p50 = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)] as number;
const median = (values: number[]) => p50([...values].sort((a, b) => a - b));

/** The dashboard query back to back for `seconds` at concurrency 1: its p50 in ms and how many ran. */
async function dashboards(url: string, seconds: number): Promise<{ p50Ms: number; runs: number }> {
  const figures = await measureLatency({
    origin: url,
    path: '/graphql',
    method: 'POST',
    headers: { authorization: 'Bearer demo-admin', 'content-type': 'application/json' },
    body: JSON.stringify({ query: DASHBOARD }),
    durationSec: seconds,
    warmupSec: 0,
  });
  return { p50Ms: figures.p50Ms, runs: figures.samples };
}

/** Run:ai calls per dashboard over five in a row, after one that warms the cache (if it is on). */
async function callsPerDashboard(simulatorUrl: string, url: string): Promise<number> {
  const once = async () => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-admin', 'content-type': 'application/json' },
      body: JSON.stringify({ query: DASHBOARD }),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status} from the gateway`);
    await res.arrayBuffer();
  };
  await once();
  await clearCalls(simulatorUrl);
  for (let i = 0; i < 5; i++) await once();
  return total(await upstreamCalls(simulatorUrl)) / 5;
}

/**
 * The response cache: the reference dashboard from one token, with the
 * cache warm (its p50, and the Run:ai calls per dashboard) against the
 * cache off; and what the cache costs the headline case, distinct-caller
 * throughput (every request another token: every lookup misses and every
 * answer is stored), with the cache on against off.
 */
export const responseCache: Scenario = async ({ durationSec }) => {
  const simulator = await startSimulator(80);
  const cached = await startGateway(simulator.url, { RESPONSE_CACHE_TTL_SECONDS: '60' });
  const uncached = await startGateway(simulator.url, { RESPONSE_CACHE_TTL_SECONDS: '0' });
  const stub = await startStubUpstream();
  const on = await startGateway(stub.url);
  const off = await startGateway(stub.url, { RESPONSE_CACHE_TTL_SECONDS: '0' });
  try {
    const slice = Math.max(0.5, durationSec / ROUNDS / 2);
    await dashboards(cached.url, 0.5);
    await dashboards(uncached.url, 0.5);
    const warm = { p50: [] as number[], runs: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const figures = await dashboards(cached.url, slice);
      warm.p50.push(figures.p50Ms);
      warm.runs += figures.runs;
    }
    const cold = { p50: [] as number[], runs: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const figures = await dashboards(uncached.url, slice);
      cold.p50.push(figures.p50Ms);
      cold.runs += figures.runs;
    }
    // Counted over a few dashboards of their own: the simulator keeps a bounded log of the calls it received.
    const warmCalls = await callsPerDashboard(simulator.url, cached.url);
    const coldCalls = await callsPerDashboard(simulator.url, uncached.url);

    const run = (url: string, seconds: number) =>
      load({
        ...graphqlRequest(url, SINGLE_POOL),
        connections: CONNECTIONS,
        durationSec: seconds,
        distinctCallers: true,
      });
    await run(on.url, 1);
    await run(off.url, 1);
    const rates = { on: [] as number[], off: [] as number[] };
    let errors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of [
        ['on', on.url],
        ['off', off.url],
      ] as const) {
        const figures = await run(url, slice);
        rates[name].push(figures.requestsPerSec);
        errors += figures.errors + figures.non2xx;
      }
    }
    const ratio = median(rates.on.map((rate, i) => rate / (rates.off[i] as number)));
    const figures = {
      warmDashboardP50Ms: median(warm.p50),
      warmCallsPerDashboard: warmCalls,
      coldDashboardP50Ms: median(cold.p50),
      coldCallsPerDashboard: coldCalls,
      distinctCallersOnReqPerSec: median(rates.on),
      distinctCallersOffReqPerSec: median(rates.off),
      distinctCallersOnToOffRatio: ratio,
      errors,
    };
    return {
      name: 'response cache',
      rows: [
        {
          case: 'dashboard, cache warm (one token)',
          p50Ms: round(figures.warmDashboardP50Ms, 2),
          reqPerSec: '',
          runaiCalls: round(figures.warmCallsPerDashboard, 3),
        },
        {
          case: 'dashboard, cache off',
          p50Ms: round(figures.coldDashboardP50Ms, 2),
          reqPerSec: '',
          runaiCalls: round(figures.coldCallsPerDashboard, 2),
        },
        {
          case: 'distinct callers, cache on',
          p50Ms: '',
          reqPerSec: round(figures.distinctCallersOnReqPerSec, 0),
          runaiCalls: 1,
        },
        {
          case: 'distinct callers, cache off',
          p50Ms: '',
          reqPerSec: round(figures.distinctCallersOffReqPerSec, 0),
          runaiCalls: 1,
        },
        { case: 'on / off, distinct callers', p50Ms: '', reqPerSec: round(ratio, 3), runaiCalls: '' },
      ],
      figures,
      targets: {
        'warm dashboard: no Run:ai call once cached': figures.warmCallsPerDashboard < 0.01,
        'distinct callers: the cache costs at most 5%': ratio >= 0.95,
        'no errors': errors === 0,
      },
    };
  } finally {
    await Promise.all([cached.stop(), uncached.stop(), on.stop(), off.stop()]);
    await stub.stop();
    await simulator.stop();
  }
};

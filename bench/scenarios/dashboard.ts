import { Pool } from 'undici';
import { DASHBOARD } from '../lib/documents.js';
import { measureLatency } from '../lib/latency.js';
import { round } from '../lib/load.js';
import { startGateway, startSimulator } from '../lib/processes.js';
import { clearCalls } from '../lib/simulator-control.js';
import type { Scenario } from '../lib/types.js';

const HEADERS = { authorization: 'Bearer demo-admin', accept: 'application/json' };
const METRIC_TYPES = 'GPU_UTILIZATION,CPU_UTILIZATION,TOTAL_GPU,ALLOCATED_GPU';

/**
 * The upstream critical path of the dashboard, done by hand as fast as a
 * client could: list and count together, then all 50 metrics calls at once.
 */
async function criticalPath(pool: Pool): Promise<void> {
  const get = async (path: string) => {
    const res = await pool.request({ path, method: 'GET', headers: HEADERS });
    const body = await res.body.json();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} from ${path}`);
    return body;
  };
  const [list] = (await Promise.all([
    get('/api/v1/node-pools?offset=0&limit=51'),
    get('/api/v1/node-pools/count'),
  ])) as [{ nodepools: { clusterId: string; name: string }[] }, unknown];
  const end = new Date();
  const start = new Date(end.getTime() - 3_600_000);
  await Promise.all(
    list.nodepools
      .slice(0, 50)
      .map((p) =>
        get(
          `/api/v1/clusters/${p.clusterId}/nodepools/${encodeURIComponent(p.name)}/metrics?start=${start.toISOString()}&end=${end.toISOString()}&numberOfSamples=20&metricType=${METRIC_TYPES}`,
        ),
      ),
  );
}

/** The reference dashboard query at concurrency 1, against its upstream critical path (2 round trips). */
export const dashboard: Scenario = async ({ durationSec }) => {
  const simulator = await startSimulator(80);
  const gateway = await startGateway(simulator.url);
  const pool = new Pool(simulator.url, { connections: 64 });
  try {
    // Sequential runs of the critical path, timed like the gateway's.
    const samples: number[] = [];
    const warmupEnd = performance.now() + 1000;
    while (performance.now() < warmupEnd) await criticalPath(pool);
    const end = performance.now() + durationSec * 1000;
    while (performance.now() < end) {
      const started = performance.now();
      await criticalPath(pool);
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const directP50 = samples[Math.floor(samples.length / 2)] as number;
    const directP99 = samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] as number;
    await clearCalls(simulator.url);

    const viaGateway = await measureLatency({
      origin: gateway.url,
      path: '/graphql',
      method: 'POST',
      headers: { authorization: 'Bearer demo-admin', 'content-type': 'application/json' },
      body: JSON.stringify({ query: DASHBOARD }),
      durationSec,
    });
    await clearCalls(simulator.url);
    const added = viaGateway.p50Ms - directP50;
    return {
      name: 'dashboard latency (concurrency 1)',
      rows: [
        {
          path: 'upstream critical path (list ∥ count, then 50 metrics at once)',
          p50Ms: round(directP50, 2),
          p99Ms: round(directP99, 2),
          samples: samples.length,
        },
        {
          path: 'gateway, reference dashboard query',
          p50Ms: round(viaGateway.p50Ms, 2),
          p99Ms: round(viaGateway.p99Ms, 2),
          samples: viaGateway.samples,
        },
        {
          path: 'added by the gateway',
          p50Ms: round(added, 2),
          p99Ms: round(viaGateway.p99Ms - directP99, 2),
          samples: 0,
        },
      ],
      figures: {
        criticalPathP50Ms: directP50,
        criticalPathP99Ms: directP99,
        gatewayP50Ms: viaGateway.p50Ms,
        gatewayP99Ms: viaGateway.p99Ms,
        addedP50Ms: added,
      },
      targets: { 'within 2 upstream round trips + 3 ms': added <= 3 },
    };
  } finally {
    await pool.close();
    await gateway.stop();
    await simulator.stop();
  }
};

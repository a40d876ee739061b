import { availableParallelism } from 'node:os';
import { Pool } from 'undici';
import { CpuMeter } from '../lib/cpu.js';
import { DASHBOARD } from '../lib/documents.js';
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

/** Times `run` back to back for `seconds`; returns the sorted durations in ms. */
async function timeRepeatedly(run: () => Promise<void>, seconds: number): Promise<number[]> {
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

const p50 = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)] as number;
const p99 = (sorted: number[]) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number;
const median = (values: number[]) => p50([...values].sort((a, b) => a - b));

/** Rounds of alternating slices: a burst of noise on the shared machine hits both paths alike. */
const ROUNDS = 5;

/** The reference dashboard query at concurrency 1, against its upstream critical path (2 round trips). */
export const dashboard: Scenario = async ({ durationSec }) => {
  const simulator = await startSimulator(80);
  // The response cache off: this scenario measures the dashboard against its upstream critical path, so every run must make its calls (the cache's own: response-cache.ts).
  const gateway = await startGateway(simulator.url, { RESPONSE_CACHE_TTL_SECONDS: '0' });
  const pool = new Pool(simulator.url, { connections: 64 });
  const client = new Pool(gateway.url, { connections: 1 });
  const body = JSON.stringify({ query: DASHBOARD });
  const viaGateway = async () => {
    const res = await client.request({
      path: '/graphql',
      method: 'POST',
      headers: { authorization: 'Bearer demo-admin', 'content-type': 'application/json' },
      body,
    });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} from the gateway`);
  };
  try {
    await timeRepeatedly(() => criticalPath(pool), 1);
    await timeRepeatedly(viaGateway, 1);
    const direct: number[][] = [];
    const gatewayRounds: number[][] = [];
    const slice = durationSec / ROUNDS / 2;
    // CPU each process spends per dashboard: on a small machine the simulator and the gateway share
    // the cores, so the gateway's CPU shows up as latency whenever the cores are saturated.
    const directCpu = new CpuMeter({ simulator: simulator.proc.pid });
    const gatewayCpu = new CpuMeter({ simulator: simulator.proc.pid, gateway: gateway.proc.pid });
    const wall = { direct: 0, gateway: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      directCpu.start();
      direct.push(await timeRepeatedly(() => criticalPath(pool), slice));
      directCpu.stop();
      wall.direct += performance.now() - started;
      started = performance.now();
      gatewayCpu.start();
      gatewayRounds.push(await timeRepeatedly(viaGateway, slice));
      gatewayCpu.stop();
      wall.gateway += performance.now() - started;
    }
    const directP50 = median(direct.map(p50));
    const directP99 = median(direct.map(p99));
    const viaGatewayFigures = {
      p50Ms: median(gatewayRounds.map(p50)),
      p99Ms: median(gatewayRounds.map(p99)),
      samples: gatewayRounds.reduce((n, r) => n + r.length, 0),
    };
    const directSamples = direct.reduce((n, r) => n + r.length, 0);
    await clearCalls(simulator.url);
    const added = median(gatewayRounds.map((r, i) => p50(r) - p50(direct[i] as number[])));
    const cpu = {
      directClient: directCpu.perRun('client', directSamples).allMs,
      directSimulator: directCpu.perRun('simulator', directSamples).allMs,
      gatewayClient: gatewayCpu.perRun('client', viaGatewayFigures.samples).allMs,
      gatewaySimulator: gatewayCpu.perRun('simulator', viaGatewayFigures.samples).allMs,
      gateway: gatewayCpu.perRun('gateway', viaGatewayFigures.samples),
    };
    const directCpuMs = cpu.directClient + cpu.directSimulator;
    const gatewayCpuMs = cpu.gatewayClient + cpu.gatewaySimulator + cpu.gateway.allMs;
    // Cores kept busy on average: the machine's CPU time used per ms of wall time.
    const coresBusy = {
      direct: (directCpuMs * directSamples) / wall.direct,
      gateway: (gatewayCpuMs * viaGatewayFigures.samples) / wall.gateway,
    };
    const cpuFigures: Record<string, number> = Number.isFinite(cpu.gateway.allMs)
      ? {
          criticalPathCpuMs: directCpuMs,
          criticalPathSimulatorCpuMs: cpu.directSimulator,
          criticalPathClientCpuMs: cpu.directClient,
          gatewayPathCpuMs: gatewayCpuMs,
          gatewayPathSimulatorCpuMs: cpu.gatewaySimulator,
          gatewayCpuMs: cpu.gateway.allMs,
          gatewayMainThreadCpuMs: cpu.gateway.mainMs,
          // What the gateway's event loop spends per dashboard, against a bare client making the same 52 calls.
          ...(cpu.directClient > 0
            ? { gatewayMainThreadVsClientCpu: cpu.gateway.mainMs / cpu.directClient }
            : {}),
          criticalPathCoresBusy: coresBusy.direct,
          gatewayPathCoresBusy: coresBusy.gateway,
          cores: availableParallelism(),
        }
      : {};
    const cpuCell = (ms: number) => (Number.isFinite(ms) ? round(ms, 1) : '');
    return {
      name: 'dashboard latency (concurrency 1)',
      rows: [
        {
          path: 'upstream critical path (list ∥ count, then 50 metrics at once)',
          p50Ms: round(directP50, 2),
          p99Ms: round(directP99, 2),
          samples: directSamples,
          cpuMs: cpuCell(directCpuMs),
          coresBusy: cpuCell(coresBusy.direct),
          note: `simulator ${cpuCell(cpu.directSimulator)} + client ${cpuCell(cpu.directClient)} ms CPU`,
        },
        {
          path: 'gateway, reference dashboard query',
          p50Ms: round(viaGatewayFigures.p50Ms, 2),
          p99Ms: round(viaGatewayFigures.p99Ms, 2),
          samples: viaGatewayFigures.samples,
          cpuMs: cpuCell(gatewayCpuMs),
          coresBusy: cpuCell(coresBusy.gateway),
          note: `simulator ${cpuCell(cpu.gatewaySimulator)} + gateway ${cpuCell(cpu.gateway.allMs)} (main thread ${cpuCell(cpu.gateway.mainMs)}) + client ${cpuCell(cpu.gatewayClient)} ms CPU`,
        },
        {
          path: 'added by the gateway',
          p50Ms: round(added, 2),
          p99Ms: round(viaGatewayFigures.p99Ms - directP99, 2),
          samples: 0,
          cpuMs: cpuCell(gatewayCpuMs - directCpuMs),
          coresBusy: '',
          note: `${round(viaGatewayFigures.p50Ms / directP50, 2)} × the critical path at p50; of ${availableParallelism()} cores; gateway main thread ${cpuCell(cpu.gateway.mainMs / cpu.directClient)} × a bare client's CPU`,
        },
      ],
      figures: {
        criticalPathP50Ms: directP50,
        criticalPathP99Ms: directP99,
        gatewayP50Ms: viaGatewayFigures.p50Ms,
        gatewayP99Ms: viaGatewayFigures.p99Ms,
        addedP50Ms: added,
        toCriticalPathRatio: viaGatewayFigures.p50Ms / directP50,
        ...cpuFigures,
      },
      targets: {
        'p50 ≤ 1.3 × the upstream critical path': viaGatewayFigures.p50Ms <= 1.3 * directP50,
        'within 2 upstream round trips + 3 ms': added <= 3,
      },
    };
  } finally {
    await client.close();
    await pool.close();
    await gateway.stop();
    await simulator.stop();
  }
};

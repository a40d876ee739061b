/**
 * Cold start: how long the built gateway takes from spawn to listening, and
 * from spawn to its first `/readyz` 200 (which needs an answer from Run:ai).
 * The gateway is compiled before the first timed spawn, so tsc is never timed.
 */
import { round } from '../lib/load.js';
import { buildGateway, type Child, startGateway, startSimulator } from '../lib/processes.js';
import type { Scenario } from '../lib/types.js';

const RUNS = 3;
const READY_POLL_MS = 10;
const READY_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** performance.now() of the first `/readyz` 200, asking every 10 ms (one request at a time). */
async function firstReady(gateway: Child): Promise<number> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(`${gateway.url}/readyz`);
      const at = performance.now();
      if (res.status === 200) {
        await res.body?.cancel();
        return at;
      }
      last = `${res.status} ${(await res.text()).trim()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (performance.now() > deadline)
      throw new Error(`/readyz not 200 within ${READY_TIMEOUT_MS} ms: ${last}`);
    await sleep(READY_POLL_MS);
  }
}

export const coldStart: Scenario = async () => {
  // Compile before anything is timed (a no-op when dist/main.js exists).
  buildGateway();
  const simulator = await startSimulator();
  const runs: { listeningMs: number; readyMs: number }[] = [];
  try {
    // The bench process's own first fetch loads undici; do it here, not in the first timed run.
    await (await fetch(`${simulator.url}/_simulator/requests`)).body?.cancel();
    for (let i = 0; i < RUNS; i++) {
      const gateway = await startGateway(simulator.url);
      try {
        const readyAt = await firstReady(gateway);
        runs.push({
          listeningMs: gateway.listeningAt - gateway.spawnedAt,
          readyMs: readyAt - gateway.spawnedAt,
        });
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await simulator.stop();
  }

  const ready = runs.map((r) => r.readyMs);
  const listening = runs.map((r) => r.listeningMs);
  const figures = {
    runs: runs.length,
    spawnToReadyMedianMs: round(median(ready), 1),
    spawnToReadyMinMs: round(Math.min(...ready), 1),
    spawnToListeningMedianMs: round(median(listening), 1),
    spawnToListeningMinMs: round(Math.min(...listening), 1),
  };
  return {
    name: 'cold-start',
    rows: [
      ...runs.map((r, i) => ({
        run: String(i + 1),
        spawnToListeningMs: round(r.listeningMs, 1),
        spawnToReadyMs: round(r.readyMs, 1),
      })),
      {
        run: 'median',
        spawnToListeningMs: figures.spawnToListeningMedianMs,
        spawnToReadyMs: figures.spawnToReadyMedianMs,
      },
      {
        run: 'min',
        spawnToListeningMs: figures.spawnToListeningMinMs,
        spawnToReadyMs: figures.spawnToReadyMinMs,
      },
    ],
    figures,
  };
};

/**
 * Cold start and idle memory. Cold start: how long the built gateway takes
 * from spawn to listening, and from spawn to its first `/readyz` 200 (which
 * needs an answer from Run:ai). The gateway is compiled before the first
 * timed spawn, so tsc is never timed. Idle memory: the gateway's RSS once
 * started, and once idle again after a burst of distinct-caller load.
 */
import { SINGLE_POOL } from '../lib/documents.js';
import { graphqlRequest, load, round } from '../lib/load.js';
import {
  buildGateway,
  type Child,
  startGateway,
  startSimulator,
  startStubUpstream,
} from '../lib/processes.js';
import { scrape } from '../lib/scrape.js';
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

const MB = 2 ** 20;

async function rssOf(gateway: Child): Promise<number> {
  return (await scrape(gateway)).get('process_resident_memory_bytes') ?? Number.NaN;
}

/**
 * RSS at rest: once started (after one query), and once idle again after a
 * 3 s burst of distinct-caller load. V8 gives memory back only a while after
 * allocation stops (its memory reducer), so the idle figure is the lowest of
 * samples taken every 2 s over `settleTimeoutMs`, with the time it was seen.
 */
async function idleMemory(gateway: Child, settleTimeoutMs: number) {
  const request = graphqlRequest(gateway.url, SINGLE_POOL);
  await (await fetch(request.url, request)).text();
  const startedRss = await rssOf(gateway);
  await load({ ...request, connections: 32, durationSec: 3, distinctCallers: true });
  const loadedRss = await rssOf(gateway);
  const quietAt = performance.now();
  let idleRss = loadedRss;
  let idleAt = quietAt;
  while (performance.now() - quietAt < settleTimeoutMs) {
    await sleep(2_000);
    const rss = await rssOf(gateway);
    if (rss < idleRss) [idleRss, idleAt] = [rss, performance.now()];
  }
  return {
    startedRssMb: round(startedRss / MB, 1),
    afterLoadRssMb: round(loadedRss / MB, 1),
    idleRssMb: round(idleRss / MB, 1),
    settledAfterSec: round((idleAt - quietAt) / 1000, 0),
  };
}

export const coldStart: Scenario = async ({ durationSec }) => {
  // Compile before anything is timed (a no-op when dist/main.js exists).
  buildGateway();
  const simulator = await startSimulator();
  const runs: { listeningMs: number; readyMs: number }[] = [];
  let memory: Awaited<ReturnType<typeof idleMemory>> | undefined;
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
    // The stub answers every caller's token, so the burst is all distinct callers and no errors.
    const stub = await startStubUpstream();
    const gateway = await startGateway(stub.url);
    try {
      // 60 s with the default 10 s runs; the smoke test's 1 s runs give it 6 s.
      memory = await idleMemory(gateway, durationSec * 6_000);
    } finally {
      await gateway.stop();
      await stub.stop();
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
    ...memory,
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
      ...(memory
        ? [
            {
              run: 'RSS MB: started / after load / idle',
              spawnToListeningMs: `${memory.startedRssMb} / ${memory.afterLoadRssMb} / ${memory.idleRssMb}`,
              spawnToReadyMs: `idle after ${memory.settledAfterSec} s`,
            },
          ]
        : []),
    ],
    figures,
    targets: {
      'spawn to first answer (/readyz 200) < 1 s': figures.spawnToReadyMedianMs < 1000,
      'idle RSS < 100 MB': (memory?.idleRssMb ?? Number.POSITIVE_INFINITY) < 100,
    },
  };
};

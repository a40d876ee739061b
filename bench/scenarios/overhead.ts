import { SINGLE_POOL } from '../lib/documents.js';
import { compareLatency } from '../lib/latency.js';
import { round } from '../lib/load.js';
import { startGateway, startReference, startSimulator } from '../lib/processes.js';
import { clearCalls } from '../lib/simulator-control.js';
import type { Scenario } from '../lib/types.js';

const AUTH = { authorization: 'Bearer demo-admin' };

/**
 * What the gateway adds to one pool read at concurrency 1, against calling
 * the simulator directly; the bare-yoga reference shows the framework floor.
 */
export const overhead: Scenario = async ({ durationSec }) => {
  const simulator = await startSimulator(0);
  // The response cache off: this scenario measures what one request costs on its way to Run:ai, not a cached answer (the cache's own: response-cache.ts).
  const gateway = await startGateway(simulator.url, { RESPONSE_CACHE_TTL_SECONDS: '0' });
  const reference = await startReference(simulator.url);
  try {
    const graphql = {
      path: '/graphql',
      method: 'POST' as const,
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ query: SINGLE_POOL }),
    };
    const figures = await compareLatency(
      [
        { name: 'direct', origin: simulator.url, path: '/api/v1/node-pools/2', headers: AUTH },
        { name: 'reference', origin: reference.url, ...graphql },
        { name: 'gateway', origin: gateway.url, ...graphql },
      ],
      durationSec,
    );
    await clearCalls(simulator.url);
    const direct = figures.get('direct')!;
    const bare = figures.get('reference')!;
    const ours = figures.get('gateway')!;
    const addedP50 = ours.p50Ms - direct.p50Ms;
    const row = (target: string, f: typeof ours) => ({
      target,
      p50Ms: round(f.p50Ms, 3),
      p99Ms: round(f.p99Ms, 3),
      samples: f.samples,
    });
    return {
      name: 'overhead (concurrency 1)',
      rows: [
        row('simulator, GET /api/v1/node-pools/2', direct),
        row('bare graphql-yoga reference, same query', bare),
        row('gateway, nodePool(id) { 4 scalars }', ours),
        {
          target: 'added by the gateway (p50, p99)',
          p50Ms: round(addedP50, 3),
          p99Ms: round(ours.p99Ms - direct.p99Ms, 3),
          samples: 0,
        },
        {
          target: 'added by the bare reference (p50, p99)',
          p50Ms: round(bare.p50Ms - direct.p50Ms, 3),
          p99Ms: round(bare.p99Ms - direct.p99Ms, 3),
          samples: 0,
        },
      ],
      figures: {
        directP50Ms: direct.p50Ms,
        directP99Ms: direct.p99Ms,
        referenceP50Ms: bare.p50Ms,
        gatewayP50Ms: ours.p50Ms,
        gatewayP99Ms: ours.p99Ms,
        addedP50Ms: addedP50,
        addedP99Ms: ours.p99Ms - direct.p99Ms,
        referenceAddedP50Ms: bare.p50Ms - direct.p50Ms,
      },
      targets: {
        'adds at most 1 ms at p50': addedP50 <= 1,
        // "At the floor": within a tenth of a millisecond of what the bare reference adds.
        'adds at most 0.1 ms more than the bare reference at p50':
          addedP50 <= bare.p50Ms - direct.p50Ms + 0.1,
      },
    };
  } finally {
    await reference.stop();
    await gateway.stop();
    await simulator.stop();
  }
};

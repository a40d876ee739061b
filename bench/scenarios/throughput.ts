import { SINGLE_POOL } from '../lib/documents.js';
import { graphqlRequest, load, round } from '../lib/load.js';
import { startGateway, startReference, startSimulator } from '../lib/processes.js';
import { clearCalls } from '../lib/simulator-control.js';
import type { Scenario } from '../lib/types.js';

const CONNECTIONS = 32;

/**
 * Requests per second at concurrency 32 for the single-pool query: the
 * gateway against a bare graphql-yoga server doing the same fetch (the
 * framework's floor), with the direct upstream rate beside them.
 */
export const throughput: Scenario = async ({ durationSec }) => {
  const simulator = await startSimulator(0);
  const gateway = await startGateway(simulator.url);
  const reference = await startReference(simulator.url);
  try {
    const run = async (target: Parameters<typeof load>[0]) => {
      // A short warm-up lets V8 optimise the hot path before the measured run.
      await load({ ...target, durationSec: Math.min(2, Math.max(1, durationSec / 5)) });
      await clearCalls(simulator.url);
      const figures = await load(target);
      await clearCalls(simulator.url);
      return figures;
    };
    const direct = await run({
      url: `${simulator.url}/api/v1/node-pools/2`,
      headers: { authorization: 'Bearer demo-admin' },
      connections: CONNECTIONS,
      durationSec,
    });
    const bare = await run({
      ...graphqlRequest(reference.url, SINGLE_POOL),
      connections: CONNECTIONS,
      durationSec,
    });
    const ours = await run({
      ...graphqlRequest(gateway.url, SINGLE_POOL),
      connections: CONNECTIONS,
      durationSec,
    });
    const ratio = ours.requestsPerSec / bare.requestsPerSec;
    const row = (name: string, f: typeof ours) => ({
      server: name,
      reqPerSec: round(f.requestsPerSec, 0),
      p50Ms: f.p50Ms,
      p99Ms: f.p99Ms,
      errors: f.errors + f.non2xx,
    });
    return {
      name: `throughput (concurrency ${CONNECTIONS})`,
      rows: [
        row('simulator directly', direct),
        row('bare graphql-yoga reference', bare),
        row('nodepool-gateway', ours),
        { server: 'gateway / reference', reqPerSec: round(ratio, 3), p50Ms: '', p99Ms: '', errors: '' },
      ],
      figures: {
        directReqPerSec: direct.requestsPerSec,
        referenceReqPerSec: bare.requestsPerSec,
        gatewayReqPerSec: ours.requestsPerSec,
        gatewayToReferenceRatio: ratio,
        gatewayErrors: ours.errors + ours.non2xx,
      },
      targets: {
        'at least 80% of the bare yoga reference': ratio >= 0.8,
        'no errors': ours.errors + ours.non2xx === 0,
      },
    };
  } finally {
    await reference.stop();
    await gateway.stop();
    await simulator.stop();
  }
};

import { SINGLE_POOL } from '../lib/documents.js';
import { graphqlRequest, type LoadFigures, load, round } from '../lib/load.js';
import { startGateway, startStubUpstream } from '../lib/processes.js';
import type { Scenario } from '../lib/types.js';

const CONNECTIONS = 32;
const TARGET_RATIO = 1.3;

/**
 * What `WORKERS` buys on this machine: requests per second of the built
 * gateway with one process against two cluster workers, measured as the
 * throughput scenario's headline (single-pool query, concurrency 32, a
 * distinct caller on every request, the stub upstream in its own process).
 * Load generator, stub and gateway share the machine's cores, so the gain
 * is below what a dedicated host would show.
 */
export const workers: Scenario = async ({ durationSec }) => {
  const upstream = await startStubUpstream();
  try {
    const measure = async (count: number): Promise<LoadFigures> => {
      const gateway = await startGateway(upstream.url, { WORKERS: String(count) });
      try {
        const target = {
          ...graphqlRequest(gateway.url, SINGLE_POOL),
          connections: CONNECTIONS,
          durationSec,
          distinctCallers: true,
        };
        // The warm-up also lets every worker start listening before the measured run.
        await load({ ...target, durationSec: Math.min(2, Math.max(1, durationSec / 5)) });
        return await load(target);
      } finally {
        await gateway.stop();
      }
    };
    const one = await measure(1);
    const two = await measure(2);
    const ratio = two.requestsPerSec / one.requestsPerSec;
    const errors = one.errors + one.non2xx + two.errors + two.non2xx;
    const row = (name: string, f: LoadFigures) => ({
      gateway: name,
      reqPerSec: round(f.requestsPerSec, 0),
      p50Ms: f.p50Ms,
      p99Ms: f.p99Ms,
      errors: f.errors + f.non2xx,
    });
    return {
      name: `workers (concurrency ${CONNECTIONS}, distinct callers, stub upstream)`,
      rows: [
        row('WORKERS=1', one),
        row('WORKERS=2', two),
        { gateway: 'WORKERS=2 / WORKERS=1', reqPerSec: round(ratio, 3), p50Ms: '', p99Ms: '', errors: '' },
      ],
      figures: {
        oneWorkerReqPerSec: one.requestsPerSec,
        twoWorkersReqPerSec: two.requestsPerSec,
        twoToOneRatio: ratio,
        errors,
      },
      targets: {
        [`WORKERS=2 ≥ ${TARGET_RATIO} × WORKERS=1`]: ratio >= TARGET_RATIO,
        'no errors': errors === 0,
      },
    };
  } finally {
    await upstream.stop();
  }
};

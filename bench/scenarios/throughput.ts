import { SINGLE_POOL } from '../lib/documents.js';
import { graphqlRequest, type LoadFigures, load, round } from '../lib/load.js';
import { startGateway, startReference, startStubUpstream } from '../lib/processes.js';
import type { Scenario } from '../lib/types.js';

const CONNECTIONS = 32;

/**
 * Requests per second at concurrency 32 for the single-pool query, in front
 * of a fast stub upstream: the gateway against a bare graphql-yoga server
 * doing the same fetch (the framework's floor), with the upstream alone
 * beside them.
 *
 * The headline case gives every request another caller's token, so no two
 * requests can share an upstream call: it measures what one request costs.
 * The shared case sends one token from every connection; concurrent requests
 * then share calls, which the gateway does and the bare server does not.
 */
export const throughput: Scenario = async ({ durationSec }) => {
  const upstream = await startStubUpstream();
  const gateway = await startGateway(upstream.url);
  const reference = await startReference(upstream.url);
  try {
    const run = async (target: Parameters<typeof load>[0]) => {
      // A short warm-up lets V8 optimise the hot path before the measured run.
      await load({ ...target, durationSec: Math.min(2, Math.max(1, durationSec / 5)) });
      return load(target);
    };
    const against = (url: string, distinctCallers: boolean) => ({
      ...graphqlRequest(url, SINGLE_POOL),
      connections: CONNECTIONS,
      durationSec,
      distinctCallers,
    });
    const direct = await run({
      url: `${upstream.url}/api/v1/node-pools/2`,
      headers: { authorization: 'Bearer caller' },
      connections: CONNECTIONS,
      durationSec,
      distinctCallers: true,
    });
    const bare = await run(against(reference.url, true));
    const ours = await run(against(gateway.url, true));
    const bareShared = await run(against(reference.url, false));
    const oursShared = await run(against(gateway.url, false));
    const ratio = ours.requestsPerSec / bare.requestsPerSec;
    const sharedRatio = oursShared.requestsPerSec / bareShared.requestsPerSec;
    const row = (name: string, f: LoadFigures) => ({
      server: name,
      reqPerSec: round(f.requestsPerSec, 0),
      p50Ms: f.p50Ms,
      p99Ms: f.p99Ms,
      errors: f.errors + f.non2xx,
    });
    const ratioRow = (name: string, value: number) => ({
      server: name,
      reqPerSec: round(value, 3),
      p50Ms: '',
      p99Ms: '',
      errors: '',
    });
    const errors = ours.errors + ours.non2xx + oursShared.errors + oursShared.non2xx;
    return {
      name: `throughput (concurrency ${CONNECTIONS}, stub upstream)`,
      rows: [
        row('upstream stub directly', direct),
        row('bare yoga, distinct callers', bare),
        row('gateway, distinct callers', ours),
        ratioRow('gateway / bare yoga, distinct callers', ratio),
        row('bare yoga, one caller (shared)', bareShared),
        row('gateway, one caller (shared)', oursShared),
        ratioRow('gateway / bare yoga, shared', sharedRatio),
      ],
      figures: {
        directReqPerSec: direct.requestsPerSec,
        referenceReqPerSec: bare.requestsPerSec,
        gatewayReqPerSec: ours.requestsPerSec,
        gatewayToReferenceRatio: ratio,
        sharedReferenceReqPerSec: bareShared.requestsPerSec,
        sharedGatewayReqPerSec: oursShared.requestsPerSec,
        sharedGatewayToReferenceRatio: sharedRatio,
        gatewayErrors: errors,
      },
      targets: {
        'distinct callers: at least 90% of the bare yoga reference': ratio >= 0.9,
        'no errors': errors === 0,
      },
    };
  } finally {
    await reference.stop();
    await gateway.stop();
    await upstream.stop();
  }
};

import { CpuMeter } from '../lib/cpu.js';
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
    /** Runs the load and returns its figures, with the server's CPU per request (all threads, µs). */
    const run = async (target: Parameters<typeof load>[0], pid?: number) => {
      // A short warm-up lets V8 optimise the hot path before the measured run.
      await load({ ...target, durationSec: Math.min(2, Math.max(1, durationSec / 5)) });
      const meter = new CpuMeter({ server: pid });
      meter.start();
      const figures = await load(target);
      meter.stop();
      return { ...figures, cpuUsPerRequest: meter.perRun('server', figures.requests).allMs * 1000 };
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
    const bare = await run(against(reference.url, true), reference.proc.pid);
    const ours = await run(against(gateway.url, true), gateway.proc.pid);
    const bareShared = await run(against(reference.url, false), reference.proc.pid);
    const oursShared = await run(against(gateway.url, false), gateway.proc.pid);
    const ratio = ours.requestsPerSec / bare.requestsPerSec;
    const sharedRatio = oursShared.requestsPerSec / bareShared.requestsPerSec;
    const row = (name: string, f: LoadFigures & { cpuUsPerRequest?: number }) => ({
      server: name,
      reqPerSec: round(f.requestsPerSec, 0),
      p50Ms: f.p50Ms,
      p99Ms: f.p99Ms,
      cpuUsPerReq: f.cpuUsPerRequest === undefined ? '' : round(f.cpuUsPerRequest, 0),
      errors: f.errors + f.non2xx,
    });
    const ratioRow = (name: string, value: number, cpu = '') => ({
      server: name,
      reqPerSec: round(value, 3),
      p50Ms: '',
      p99Ms: '',
      cpuUsPerReq: cpu,
      errors: '',
    });
    const errors = ours.errors + ours.non2xx + oursShared.errors + oursShared.non2xx;
    return {
      name: `throughput (concurrency ${CONNECTIONS}, stub upstream)`,
      rows: [
        row('upstream stub directly', direct),
        row('bare yoga, distinct callers', bare),
        row('gateway, distinct callers', ours),
        ratioRow(
          'gateway / bare yoga, distinct callers',
          ratio,
          String(round(ours.cpuUsPerRequest / bare.cpuUsPerRequest, 2)),
        ),
        row('bare yoga, one caller (shared)', bareShared),
        row('gateway, one caller (shared)', oursShared),
        ratioRow('gateway / bare yoga, shared', sharedRatio),
      ],
      figures: {
        directReqPerSec: direct.requestsPerSec,
        referenceReqPerSec: bare.requestsPerSec,
        gatewayReqPerSec: ours.requestsPerSec,
        gatewayToReferenceRatio: ratio,
        gatewayCpuUsPerRequest: ours.cpuUsPerRequest,
        referenceCpuUsPerRequest: bare.cpuUsPerRequest,
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

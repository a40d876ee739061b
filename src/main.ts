import cluster from 'node:cluster';
import { buildApp } from './app/app.js';
import { DEMO_UPSTREAM_ENV, runPrimary, sharedStdout } from './cluster/primary.js';
import { legacyKnobs, listenHost, loadConfig, TUNING_ENV } from './config.js';
import { createLogger, type Logger } from './telemetry/logger.js';

/** Once per machine (the primary, or the one process): tuning knobs set the old way, one variable each. */
function warnOfLegacyKnobs(log: Logger): void {
  const legacy = legacyKnobs();
  if (legacy.length === 0) return;
  log.warn(
    { variables: legacy },
    `tuning knobs set as environment variables: honoured for now, but move them into ${TUNING_ENV} (docs/configuration.md)`,
  );
}

/**
 * Starts the gateway from environment variables; stops cleanly on
 * SIGINT/SIGTERM. With `WORKERS` > 1 this process becomes the node:cluster
 * primary (src/cluster/primary.ts) and each worker it forks runs this function again
 * as one gateway; with 1, a single process serves everything.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    // The primary's lines say `role: primary` (and `worker` when they speak of one); a worker's say `worker`.
    const log = createLogger(config.logLevel, sharedStdout()).child({ role: 'primary' });
    warnOfLegacyKnobs(log);
    return runPrimary(
      {
        workers: config.workers,
        redis: config.redisUrl !== undefined,
        demo: config.runaiUrl === undefined ? { pools: config.simulatorPools } : undefined,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        host: listenHost(config),
      },
      log,
    );
  }
  // Only our own primary's workers (they inherit WORKERS): under another cluster manager, one plain gateway.
  const worker = config.workers > 1 ? cluster.worker : undefined;
  const log = worker
    ? createLogger(config.logLevel, sharedStdout()).child({ worker: worker.id })
    : createLogger(config.logLevel);
  // A last resort, never the plan: every route handles its own promise. A rejection nobody handled is
  // logged as the bug it is, rather than ending every other caller's requests and subscriptions.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
  if (!worker) warnOfLegacyKnobs(log);
  const app = buildApp(
    config,
    worker ? { log, clusterWorker: true, demoUpstreamUrl: process.env[DEMO_UPSTREAM_ENV] } : { log },
  );
  const url = await app.start();
  // In a cluster the primary announces demo mode and readiness, once for the machine.
  if (!worker) {
    if (app.simulator) {
      log.info(
        { simulator: app.simulator.url, tokens: ['demo-admin', 'demo-viewer', 'demo-admin-2'] },
        'demo mode: no RUNAI_URL set, serving the embedded Run:ai simulator; callers without a token act as demo-admin',
      );
    }
    log.info({ graphql: `${url}/graphql` }, 'ready');
  }
  // Lines are buffered: show the startup lines now rather than within the flush interval.
  log.flush();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

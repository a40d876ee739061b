import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { buildApp } from './server.js';

/** Starts the gateway from environment variables; stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const app = buildApp(config, { log });
  const url = await app.start();
  if (app.simulator) {
    log.info(
      { simulator: app.simulator.url, tokens: ['demo-admin', 'demo-viewer', 'demo-admin-2'] },
      'demo mode: no RUNAI_URL set, serving the embedded Run:ai simulator; callers without a token act as demo-admin',
    );
  }
  log.info({ graphql: `${url}/graphql` }, 'ready');
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

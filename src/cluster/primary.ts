/**
 * `WORKERS` > 1: the node:cluster primary. It serves no request itself: it
 * forks the workers (each one a whole gateway, `buildApp`, sharing the port
 * through cluster's round-robin), holds what they share (the demo simulator,
 * rate-limit counts, the relays of refresh signals and of refused tokens, the live store when there is
 * no Redis, the metrics collection),
 * replaces a worker that dies, and stops them all on SIGTERM/SIGINT.
 */
import cluster, { type Worker } from 'node:cluster';
import { pino } from 'pino';
import type { Simulator } from 'runai-simulator';
import { serveClusterRateLimits } from '../graphql/rate-limiter.js';
import { relayRefreshSignals } from '../live/coordination/cluster-bus.js';
import { serveClusterStore } from '../live/coordination/cluster-store.js';
import type { Logger } from '../telemetry/logger.js';
import { serveMachineMetrics } from '../telemetry/machine-metrics.js';
import { relayVerdicts } from '../upstream/verdict-sharing.js';

/** How the primary hands its demo simulator's URL to the workers it forks. */
export const DEMO_UPSTREAM_ENV = 'NODEPOOL_GATEWAY_DEMO_UPSTREAM';

/** Time the primary gives its workers beyond their own drain deadline before it kills them. */
const EXIT_GRACE_MS = 5_000;

/**
 * stdout for a process that shares it with the others of the cluster. Each
 * write holds whole lines and at most 4096 bytes (PIPE_BUF on Linux), which a
 * pipe writes atomically: two workers' lines never interleave. Otherwise as
 * buffered as the single-process logger (src/telemetry/logger.ts).
 */
export function sharedStdout(): pino.DestinationStream {
  return pino.destination({
    dest: process.stdout.fd,
    sync: false,
    minLength: 4000,
    maxWrite: 4096,
    periodicFlush: 1000,
  });
}

/** The address a client reaches the gateway on, as src/app/app.ts shows it. */
function shownUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/**
 * Runs the cluster primary: forks `config.workers` workers, and returns once
 * every one of them listens. A worker that dies later is replaced, unless the
 * gateway is stopping; one that dies before it ever listened stops the whole
 * gateway with exit code 1, since its replacement would fail the same way.
 * SIGTERM/SIGINT are forwarded to every worker, each drains (up to
 * `SHUTDOWN_TIMEOUT_MS`), and the primary exits 0 once all have exited.
 */
/** What the primary needs to know of the settings. */
export interface PrimaryOptions {
  /** Workers to fork (WORKERS). */
  workers: number;
  /** Whether the workers share Redis: without it, the primary holds their live store. */
  redis: boolean;
  /** Demo mode (no RUNAI_URL): the primary runs one simulator for every worker, with this many pools. */
  demo: { pools: number } | undefined;
  /** How long a worker may drain (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** The address the workers listen on, for the ready line. */
  host: string;
}

export async function runPrimary(config: PrimaryOptions, log: Logger): Promise<void> {
  serveClusterRateLimits();
  relayRefreshSignals();
  relayVerdicts();
  if (!config.redis) serveClusterStore();
  serveMachineMetrics();

  // Demo mode: one simulator for the machine, so that every worker sees the same pools.
  let simulator: Simulator | undefined;
  if (config.demo) {
    const { createSimulator } = await import('runai-simulator');
    simulator = createSimulator({ pools: config.demo.pools });
  }
  const demoUrl = await simulator?.start(0, '127.0.0.1');
  const env = demoUrl ? { [DEMO_UPSTREAM_ENV]: demoUrl } : {};

  const alive = new Set<Worker>();
  const listened = new Set<number>();
  let stopping = false;
  let exitCode = 0;
  let markReady: (port: number) => void = () => {};
  const ready = new Promise<number>((resolve) => {
    markReady = resolve;
  });

  const fork = () => {
    const worker = cluster.fork(env);
    alive.add(worker);
    log.info({ worker: worker.id, pid: worker.process.pid }, 'worker started');
  };

  const finish = async () => {
    await simulator?.stop();
    log.info({ exitCode }, 'all workers stopped');
    log.flush();
    process.exit(exitCode);
  };

  const stop = (signal: NodeJS.Signals, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info({ signal, workers: alive.size }, 'shutting down: stopping every worker');
    // A worker drains for up to SHUTDOWN_TIMEOUT_MS; past this, it is stuck.
    setTimeout(() => {
      log.error({ workers: alive.size }, 'workers did not stop in time: killing them');
      for (const worker of alive) worker.process.kill('SIGKILL');
      exitCode = 1;
    }, config.shutdownTimeoutMs + EXIT_GRACE_MS).unref();
    // The signal itself rather than a disconnect: a disconnected worker could no longer reach the rate
    // limiter or the metrics while it drains.
    for (const worker of alive) worker.process.kill(signal);
    if (alive.size === 0) void finish();
  };

  cluster.on('listening', (worker, address) => {
    listened.add(worker.id);
    if (listened.size === config.workers) markReady(address.port);
  });
  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker);
    if (stopping) {
      if (alive.size === 0) void finish();
      return;
    }
    if (!listened.has(worker.id)) {
      log.error({ worker: worker.id, code, signal }, 'a worker failed to start: stopping the gateway');
      stop('SIGTERM', 1);
      return;
    }
    log.error({ worker: worker.id, code, signal }, 'a worker exited: starting a replacement');
    fork();
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  for (let i = 0; i < config.workers; i++) fork();
  const port = await ready;
  if (demoUrl) {
    log.info(
      { simulator: demoUrl, tokens: ['demo-admin', 'demo-viewer', 'demo-admin-2'] },
      'demo mode: no RUNAI_URL set, serving the embedded Run:ai simulator; callers without a token act as demo-admin',
    );
  }
  log.info({ graphql: `${shownUrl(config.host, port)}/graphql`, workers: config.workers }, 'ready');
  log.flush();
}

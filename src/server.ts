import type { Server, ServerResponse } from 'node:http';
import type { Simulator, SimulatorOptions } from 'runai-simulator';
import type { ResponseCache } from './cache/response-cache.js';
import { type Config, listenHost } from './config.js';
import type { ContextDeps } from './context.js';
import { trustProxies } from './edge/callers.js';
import type { CredentialVerdicts } from './edge/credential-verdicts.js';
import { createRateLimiter, type RateLimiter } from './edge/rate-limit.js';
import { Readiness } from './edge/readiness.js';
import type { LiveStore } from './live/live-store.js';
import type { LiveUpdates } from './live/live-updates.js';
import type { RefreshBus } from './live/refresh-bus.js';
import {
  allowedHostsOf,
  createHttpServer,
  createLive,
  createLiveStore,
  createPrometheus,
  createRefreshBus,
  createResponseCache,
  createServiceTokens,
  createTrustedDocuments,
  createUpstream,
  createVerdicts,
  listen,
  loadTracing,
  observeUpstream,
  webSocketOptions,
} from './parts.js';
import { Admission } from './pipeline/admission.js';
import { createDocumentCaches } from './pipeline/document-caches.js';
import { createGateway } from './pipeline/yoga.js';
import { schema } from './schema/index.js';
import { subgraphSchema } from './schema/subgraph.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import type { Tracing } from './telemetry/tracing-setup.js';
import type { UpstreamHttp } from './upstream/http.js';
import { attachWebSocket } from './websocket/graphql-ws-server.js';

/** The token the gateway uses in demo mode for callers who send none. */
export const DEMO_TOKEN = 'demo-admin';

export interface AppOptions {
  /** Logger to use (tests pass one that captures lines). */
  log?: Logger;
  /** Options of the embedded simulator, in demo mode. */
  simulator?: SimulatorOptions;
  /** Polls that follow a mutation until the pool settles (ms); tests shorten them. */
  settleDelaysMs?: readonly number[];
  /** The clock that dates each operation (default metrics windows); tests freeze it. */
  now?: () => Date;
  /**
   * Demo mode against a simulator that already runs at this URL (the cluster primary's, shared by every
   * worker) instead of embedding one. Callers without a token still act as the demo admin.
   */
  demoUpstreamUrl?: string | undefined;
  /**
   * Runs as a node:cluster worker: refresh signals and rate-limit counts go through the primary over IPC
   * (unless `REDIS_URL` is set, which already reaches every worker), and `/metrics` answers for the whole
   * machine.
   */
  clusterWorker?: boolean;
}

export interface App {
  /** Starts listening; resolves the base URL (e.g. `http://127.0.0.1:4000`). */
  start(port?: number, host?: string): Promise<string>;
  /** Closes the server, its sockets, the upstream pools and the embedded simulator; flushes the traces. */
  stop(): Promise<void>;
  /** Base URL once started. */
  readonly url: string;
  /** The embedded simulator in demo mode, undefined otherwise. */
  readonly simulator: Simulator | undefined;
  /** The live layer (subscriptions), once started. */
  readonly live: LiveUpdates | undefined;
}

/**
 * Builds the gateway: one node:http server for `/graphql` (yoga), `/healthz`
 * and `/readyz`. With no `runaiUrl`, it embeds the Run:ai simulator (demo
 * mode) and uses its demo admin token for callers who send none.
 */
export function buildApp(config: Config, options: AppOptions = {}): App {
  const log = options.log ?? createLogger(config.logLevel);
  const demo = config.runaiUrl === undefined;
  const clusterWorker = options.clusterWorker === true;
  let simulator: Simulator | undefined;
  let http: UpstreamHttp | undefined;
  let server: Server | undefined;
  let live: LiveUpdates | undefined;
  let websocket: ReturnType<typeof attachWebSocket> | undefined;
  let bus: RefreshBus | undefined;
  let store: LiveStore | undefined;
  let cache: ResponseCache | undefined;
  let limiter: RateLimiter | undefined;
  let tracing: Tracing | undefined;
  let verdicts: CredentialVerdicts | undefined;
  let url: string | undefined;
  let stopManifest = () => {};
  /** Responses being written, so shutdown can wait for them. */
  const inflight = new Set<ServerResponse>();
  const idle: (() => void)[] = [];
  let draining = false;
  /** Counts a response as in flight until it closes, so shutdown can wait for it. */
  const track = (res: ServerResponse) => {
    inflight.add(res);
    res.once('close', () => {
      inflight.delete(res);
      if (inflight.size === 0) for (const notify of idle.splice(0)) notify();
    });
  };

  async function start(port = config.port, host = listenHost(config)): Promise<string> {
    const { trustedDocuments, operationNames, stopWatching } = createTrustedDocuments(config, log);
    stopManifest = stopWatching;
    const baseUrl = options.demoUpstreamUrl ?? config.runaiUrl ?? (await startSimulator());
    tracing ??= await loadTracing(config, log);
    const upstream = createUpstream(config, baseUrl, log, tracing?.upstreamLayer);
    http = upstream;
    const readiness = new Readiness(upstream);
    verdicts = await createVerdicts(config, clusterWorker);
    bus = await createRefreshBus(config, log, clusterWorker);
    limiter =
      config.rateLimitPerMinute > 0
        ? await createRateLimiter(config.rateLimitPerMinute, config.redisUrl, { clusterWorker })
        : undefined;
    store = await createLiveStore(config, log, clusterWorker);
    live = createLive(config, upstream, { bus, store }, log, options);
    cache = await createResponseCache(config, log, { bus, live });
    const prometheus = createPrometheus(config, {
      cache,
      http: upstream,
      live,
      bus,
      trustedDocuments,
      operationNames,
      clusterWorker,
    });
    observeUpstream(upstream, readiness, verdicts, prometheus);
    const serviceTokens = createServiceTokens(config, upstream, log);
    const contextDeps: ContextDeps = {
      http: upstream,
      log,
      fallbackToken: demo && !serviceTokens ? DEMO_TOKEN : undefined,
      loaderOptions: { metricsConcurrency: config.metricsConcurrency },
      live,
      serviceTokens,
      requestTimeoutMs: config.requestTimeoutMs,
      now: options.now,
      maxUpstreamCalls: config.maxUpstreamCalls,
      verdicts,
      cache,
    };
    const admission = new Admission({
      rateLimit: limiter ? { limiter, perMinute: config.rateLimitPerMinute } : undefined,
      verdicts,
      trustedDocuments,
    });
    const documentCaches = createDocumentCaches();
    const yoga = createGateway(schema, config, contextDeps, admission, prometheus, {
      demo,
      tracing: tracing?.plugin,
      documentCaches,
    });
    const subgraph = createGateway(subgraphSchema, config, contextDeps, admission, prometheus, {
      demo,
      tracing: tracing?.plugin,
      endpoint: '/subgraph',
      documentCaches,
    });
    const trustProxy = trustProxies(config.trustedProxies);
    const httpServer = createHttpServer({
      config,
      yoga,
      subgraph,
      readiness,
      metrics: prometheus,
      contextDeps,
      admission,
      track,
      draining: () => draining,
      trustProxy,
      allowedHosts: allowedHostsOf(config),
    });
    server = httpServer;
    const paths = new Map([
      ['/graphql', yoga],
      ['/subgraph', subgraph],
    ]);
    websocket = attachWebSocket(
      httpServer,
      admission,
      webSocketOptions(config, demo, trustProxy, log, paths),
    );
    url = await listen(httpServer, port, host);
    const shown = demo ? 'embedded simulator' : baseUrl;
    log.info({ url, upstream: shown, serviceCredentials: serviceTokens !== undefined }, 'gateway listening');
    return url;
  }

  /** Demo mode: the embedded simulator (and its OpenAPI validators), loaded only then. */
  async function startSimulator(): Promise<string> {
    const { createSimulator } = await import('runai-simulator');
    simulator ??= createSimulator({ pools: config.simulatorPools, ...options.simulator });
    return simulator.start(0, '127.0.0.1');
  }

  /**
   * Graceful stop: stop accepting; complete every subscription and close
   * WebSockets with 1001 (open subscriptions would otherwise hold the drain
   * until the deadline); let in-flight requests finish, up to
   * `shutdownTimeoutMs`; then close the remaining sockets, the pollers and
   * the upstream pool.
   */
  async function stop(): Promise<void> {
    const closing = server;
    server = undefined;
    draining = true;
    const closed = closing
      ? new Promise<void>((resolve) => closing.close(() => resolve()))
      : Promise.resolve();
    live?.stop();
    stopManifest();
    await websocket?.close();
    websocket = undefined;
    if (inflight.size > 0) {
      log.info(
        { inflight: inflight.size, deadlineMs: config.shutdownTimeoutMs },
        'waiting for in-flight requests',
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, config.shutdownTimeoutMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    closing?.closeAllConnections();
    await closed;
    await bus?.close();
    bus = undefined;
    await store?.close();
    store = undefined;
    await cache?.close();
    cache = undefined;
    await limiter?.close();
    limiter = undefined;
    await verdicts?.close();
    verdicts = undefined;
    await http?.close();
    http = undefined;
    await simulator?.stop();
    // Last: the spans of the requests that drained above go out before the process ends.
    await tracing?.shutdown();
    tracing = undefined;
  }

  return {
    start,
    stop,
    get url() {
      if (!url) throw new Error('the gateway is not started');
      return url;
    },
    get simulator() {
      return simulator;
    },
    get live() {
      return live;
    },
  };
}

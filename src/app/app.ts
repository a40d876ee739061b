import type { Server } from 'node:http';
import type { Simulator, SimulatorOptions } from 'runai-simulator';
import { type Config, listenHost } from '../config.js';
import { Admission } from '../graphql/admission.js';
import { createDocumentCaches } from '../graphql/document-caches.js';
import { createGateway, type GatewayOptions } from '../graphql/gateway.js';
import { createRateLimiter } from '../graphql/rate-limiter.js';
import { trustProxies } from '../http/callers.js';
import { Draining } from '../http/draining.js';
import { Readiness } from '../http/readiness.js';
import type { LiveUpdates } from '../live/live-updates.js';
import { schema } from '../schema/index.js';
import { subgraphSchema } from '../schema/subgraph.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { attachWebSocket } from '../websocket/graphql-ws-server.js';
import { createHttpServer, listen } from './http-server.js';
import {
  allowedHostsOf,
  createLive,
  createLiveStore,
  createPrometheus,
  createRedis,
  createRefreshBus,
  createResponseCache,
  createServiceTokens,
  createTrustedDocuments,
  createUpstream,
  createVerdicts,
  loadTracing,
} from './parts.js';
import { Resources } from './resources.js';

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
 * Builds the gateway: one node:http server for `/graphql` (yoga, with the
 * CSV export), `/subgraph`, graphql-ws on both, `/healthz`, `/readyz` and
 * `/metrics`. With no `runaiUrl`, it embeds the Run:ai simulator (demo mode)
 * and uses its demo admin token for callers who send none. `start()` opens
 * the parts in the order they depend on each other; `stop()` closes them in
 * the reverse order.
 */
export function buildApp(config: Config, options: AppOptions = {}): App {
  const log = options.log ?? createLogger(config.logLevel);
  const demo = config.runaiUrl === undefined;
  const clusterWorker = options.clusterWorker === true;
  const resources = new Resources(log);
  let simulator: Simulator | undefined;
  let live: LiveUpdates | undefined;
  let url: string | undefined;

  async function start(port = config.port, host = listenHost(config)): Promise<string> {
    const held = resources.hold.bind(resources);
    const trusted = held('trusted documents', createTrustedDocuments(config, log), (t) => t.stopWatching());
    const baseUrl = options.demoUpstreamUrl ?? config.runaiUrl ?? (await startSimulator());
    const tracing = await loadTracing(config, log);
    if (tracing) held('tracing', tracing, (t) => t.shutdown());
    const upstream = held('Run:ai client', await createUpstream(config, baseUrl, log, tracing), (u) =>
      u.close(),
    );
    const redis = createRedis(config, log);
    if (redis) held('Redis', redis, (r) => r.close());
    const verdicts = held('credential verdicts', await createVerdicts(redis, clusterWorker), (v) =>
      v.close(),
    );
    const bus = await createRefreshBus(redis, log, clusterWorker);
    if (bus) held('refresh bus', bus, (b) => b.close());
    const store = await createLiveStore(redis, log, clusterWorker);
    if (store) held('live store', store, (s) => s.close());
    live = held('live layer', createLive(config, upstream, { bus, store }, log, options), (l) => l.stop());
    const cache = held('response cache', await createResponseCache(config, log, { redis, bus, live }), (c) =>
      c.close(),
    );
    const limiter =
      config.rateLimitPerMinute > 0
        ? await createRateLimiter(config.rateLimitPerMinute, { redis, clusterWorker })
        : undefined;
    const prometheus = createPrometheus({ http: upstream, live, redis, cache, clusterWorker, ...trusted });
    const readiness = new Readiness(upstream);
    upstream.on('attempt', (event) => {
      if (typeof event.status === 'number') readiness.markAnswered(event.status);
      verdicts.observe(event.scope, event.status);
      prometheus.upstreamCall(event);
    });
    const serviceTokens = createServiceTokens(config, upstream, log);
    const admission = new Admission({
      rateLimit: limiter ? { limiter, perMinute: config.rateLimitPerMinute } : undefined,
      verdicts,
      trustedDocuments: trusted.documents,
    });
    const tracingPlugin = tracing
      ? (await import('../graphql/plugins/use-tracing.js')).useTracing(tracing)
      : undefined;
    const gateway: Omit<GatewayOptions, 'schema' | 'endpoint'> = {
      context: {
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
        dropAnswers: (change) => cache.drop(change, 'mutation'),
      },
      admission,
      limits: config,
      introspection: config.introspection,
      // With PERSISTED_ONLY, GraphiQL could run nothing (a typed document is a document sent in full).
      graphiql: config.graphiql && !config.persistedOnly ? { demo } : false,
      corsOrigins: config.corsOrigins,
      metrics: prometheus,
      tracing: tracingPlugin,
      responseCache: cache,
      documentCaches: createDocumentCaches(),
    };
    const yoga = createGateway({ ...gateway, schema, endpoint: '/graphql' });
    const subgraph = createGateway({ ...gateway, schema: subgraphSchema, endpoint: '/subgraph' });
    const trustProxy = trustProxies(config.trustedProxies);
    const allowedHosts = allowedHostsOf(config);
    const draining = new Draining();
    const server = createHttpServer({
      yoga,
      subgraph,
      readiness,
      metrics: prometheus,
      log,
      draining,
      maxBodyBytes: config.maxBodyBytes,
      trustProxy,
      allowedHosts,
      corsOrigins: config.corsOrigins,
      routerSecret: config.routerSecret,
    });
    const websocket = attachWebSocket(server, admission, {
      paths: new Map([
        ['/graphql', yoga],
        ['/subgraph', subgraph],
      ]),
      maxPayloadBytes: config.maxBodyBytes,
      trustProxy,
      allowedHosts,
      connectionInitWaitTimeoutMs: config.wsConnectionInitTimeoutMs,
      maxSubscriptionsPerConnection: config.wsMaxSubscriptionsPerConnection,
      allowAnonymous: demo,
      allowedOrigins: config.corsOrigins,
      log,
    });
    const liveLayer = live;
    held('HTTP server', server, () => closeServer(server, { live: liveLayer, websocket, draining }));
    url = await listen(server, port, host);
    const shown = demo ? 'embedded simulator' : baseUrl;
    log.info({ url, upstream: shown, serviceCredentials: serviceTokens !== undefined }, 'gateway listening');
    return url;
  }

  /**
   * A graceful stop of the HTTP side: stop accepting; end every subscription and close WebSockets with
   * 1001 (open subscriptions would otherwise hold the drain until the deadline); let requests in flight
   * finish, up to `shutdownTimeoutMs`; then close the remaining sockets.
   */
  async function closeServer(
    server: Server,
    parts: { live: LiveUpdates; websocket: ReturnType<typeof attachWebSocket>; draining: Draining },
  ): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    parts.live.stop();
    await parts.websocket.close();
    if (parts.draining.size > 0) {
      log.info(
        { inflight: parts.draining.size, deadlineMs: config.shutdownTimeoutMs },
        'waiting for in-flight requests',
      );
    }
    await parts.draining.drain(config.shutdownTimeoutMs);
    server.closeAllConnections();
    await closed;
  }

  /** Demo mode: the embedded simulator (and its OpenAPI validators), loaded only then. */
  async function startSimulator(): Promise<string> {
    const { createSimulator } = await import('runai-simulator');
    simulator ??= createSimulator({ pools: config.simulatorPools, ...options.simulator });
    resources.hold('embedded simulator', simulator, (s) => s.stop());
    return simulator.start(0, '127.0.0.1');
  }

  return {
    start,
    stop: () => resources.closeAll(),
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

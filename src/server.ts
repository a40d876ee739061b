import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Simulator, SimulatorOptions } from 'runai-simulator';
import { actsOnAmbientCredentials, type Config, listenHost, tracesUrl } from './config.js';
import type { ContextDeps } from './context.js';
import { CredentialVerdicts, trustProxies } from './edge/callers.js';
import { answerClientErrors, limitChunkedBodies, routes } from './edge/http-routes.js';
import { createRateLimiter, type RateLimiter } from './edge/rate-limit.js';
import { Readiness } from './edge/readiness.js';
import { LiveUpdates } from './live/live-updates.js';
import type { RefreshBus } from './live/refresh-bus.js';
import { loadManifest, TrustedDocuments } from './pipeline/trusted-documents.js';
import { createGateway } from './pipeline/yoga.js';
import { schema } from './schema/index.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { PrometheusMetrics } from './telemetry/prometheus.js';
import type { Tracing } from './telemetry/tracing-setup.js';
import { UpstreamHttp } from './upstream/http.js';
import { ServiceTokenSource } from './upstream/service-token.js';
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
  let simulator: Simulator | undefined;
  let http: UpstreamHttp | undefined;
  let server: Server | undefined;
  let live: LiveUpdates | undefined;
  let websocket: ReturnType<typeof attachWebSocket> | undefined;
  let bus: RefreshBus | undefined;
  let limiter: RateLimiter | undefined;
  let tracing: Tracing | undefined;
  let url: string | undefined;
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
    // Trusted documents (a manifest) and automatic persisted queries: a broken manifest stops the start
    // before anything else starts.
    const manifest = config.persistedDocuments ? loadManifest(config.persistedDocuments) : undefined;
    const trustedDocuments = new TrustedDocuments({
      manifest: manifest?.documents,
      persistedOnly: config.persistedOnly,
      apq: { maxDocumentBytes: config.apqMaxDocumentBytes, maxBytes: config.apqStoreBytes },
    });
    if (demo && !simulator && !options.demoUpstreamUrl) {
      // Only demo mode needs the simulator (and its OpenAPI validators): load it on demand.
      const { createSimulator } = await import('runai-simulator');
      simulator = createSimulator({ pools: config.simulatorPools, ...options.simulator });
    }
    const baseUrl =
      options.demoUpstreamUrl ??
      (simulator ? await simulator.start(0, '127.0.0.1') : (config.runaiUrl as string));
    // OpenTelemetry is loaded only when an OTLP endpoint is configured: otherwise tracing costs nothing.
    const traces = tracesUrl(config);
    if (traces && !tracing) {
      tracing = (await import('./telemetry/tracing-setup.js')).startTracing({
        url: traces,
        warn: (obj, msg) => log.warn(obj, msg),
      });
    }
    const verdicts = new CredentialVerdicts();
    const trustProxy = trustProxies(config.trustedProxies);
    let readiness: Readiness | undefined;
    let prometheus: PrometheusMetrics | undefined;
    const upstream = new UpstreamHttp({
      baseUrl,
      connectTimeoutMs: config.upstreamConnectTimeoutMs,
      headersTimeoutMs: config.upstreamHeadersTimeoutMs,
      totalTimeoutMs: config.upstreamTotalTimeoutMs,
      maxRetries: config.upstreamMaxRetries,
      connections: config.upstreamConnections,
      concurrencyPerCredential: config.upstreamConcurrencyPerCredential,
      maxBodyBytes: config.upstreamMaxBodyBytes,
      logger: log,
      circuit: {
        errorThresholdPercentage: config.circuitErrorThresholdPercent,
        volumeThreshold: config.circuitVolumeThreshold,
        resetTimeoutMs: config.circuitResetTimeoutMs,
      },
      onCall: (event) => {
        if (typeof event.status === 'number') readiness?.markAnswered(event.status);
        verdicts.observe(event.scope, event.status);
        prometheus?.upstreamCall(event);
      },
      outermost: tracing?.upstreamLayer,
    });
    http = upstream;
    readiness = new Readiness(upstream);
    const ready = readiness;
    // ioredis is loaded only when Redis is configured. Redis reaches every worker of every replica, so a
    // cluster worker needs the primary's relay only without it.
    bus = config.redisUrl
      ? (await import('./live/refresh-bus.js')).createRedisBus({
          url: config.redisUrl,
          warn: (obj, msg) => log.warn(obj, msg),
          info: (obj, msg) => log.info(obj, msg),
        })
      : options.clusterWorker
        ? (await import('./live/cluster-bus.js')).createClusterBus()
        : undefined;
    const refreshBus = bus;
    const rateLimiter =
      config.rateLimitPerMinute > 0
        ? await createRateLimiter(config.rateLimitPerMinute, config.redisUrl, {
            clusterWorker: options.clusterWorker === true,
          })
        : undefined;
    limiter = rateLimiter;
    const liveUpdates = new LiveUpdates({
      http: upstream,
      bus: refreshBus,
      intervalMs: config.pollIntervalMs,
      metricsIntervalMs: config.metricsPollIntervalMs,
      queueCapacity: config.subscriptionQueueSize,
      queueBytes: config.subscriptionQueueBytes,
      limits: {
        subscriptionsPerCaller: config.liveMaxSubscriptionsPerCaller,
        metricsPollersPerCaller: config.liveMaxMetricsPollersPerCaller,
        queuedBytesPerCaller: config.liveMaxQueuedBytesPerCaller,
        queuedBytes: config.liveMaxQueuedBytes,
      },
      ...(options.settleDelaysMs ? { settleDelaysMs: options.settleDelaysMs } : {}),
      warn: (obj, msg) => log.warn(obj, msg),
      onPoll: (kind, outcome) => prometheus?.livePoll(kind, outcome),
      onDrop: (kind) => prometheus?.liveEventDropped(kind),
    });
    live = liveUpdates;
    const exposed = new PrometheusMetrics(
      {
        subscriptions: () => liveUpdates.subscriptions,
        queuedBytes: () => liveUpdates.queuedBytes,
        apqBytes: () => trustedDocuments.apqBytes,
        pollers: () => liveUpdates.pollers,
        openCircuits: () => upstream.openCircuits,
        backingOff: () => upstream.backingOff,
        redisConnected: config.redisUrl && refreshBus ? () => refreshBus.connected : undefined,
      },
      {
        machineWide: options.clusterWorker === true,
        operationNames: manifest?.operationNames,
      },
    );
    prometheus = exposed;
    const serviceTokens =
      config.runaiClientId && config.runaiClientSecret
        ? new ServiceTokenSource({
            http: upstream,
            clientId: config.runaiClientId,
            clientSecret: config.runaiClientSecret,
            logger: log,
          })
        : undefined;
    const contextDeps: ContextDeps = {
      http: upstream,
      log,
      fallbackToken: demo && !serviceTokens ? DEMO_TOKEN : undefined,
      loaderOptions: { metricsConcurrency: config.metricsConcurrency },
      live: liveUpdates,
      serviceTokens,
      requestTimeoutMs: config.requestTimeoutMs,
      now: options.now,
      maxUpstreamCalls: config.maxUpstreamCalls,
      verdicts,
    };
    const yoga = createGateway(schema, config, contextDeps, exposed, {
      demo,
      rateLimiter,
      tracing: tracing?.plugin,
      trustedDocuments,
    });

    const httpServer = createServer(
      routes({
        config,
        yoga,
        readiness: ready,
        metrics: exposed,
        contextDeps,
        rateLimiter,
        track,
        draining: () => draining,
        trustProxy,
        allowedHosts: actsOnAmbientCredentials(config) ? config.allowedHosts : undefined,
      }),
    );
    server = httpServer;
    limitChunkedBodies(httpServer, config.maxBodyBytes);
    answerClientErrors(httpServer);
    websocket = attachWebSocket(httpServer, yoga, {
      path: '/graphql',
      maxPayloadBytes: config.maxBodyBytes,
      trustProxy,
      allowedHosts: actsOnAmbientCredentials(config) ? config.allowedHosts : undefined,
      verdicts,
      connectionInitWaitTimeoutMs: config.wsConnectionInitTimeoutMs,
      maxSubscriptionsPerConnection: config.wsMaxSubscriptionsPerConnection,
      allowAnonymous: demo,
      allowedOrigins: config.corsOrigins,
      rateLimit: rateLimiter ? { limiter: rateLimiter, perMinute: config.rateLimitPerMinute } : undefined,
      trustedDocuments,
    });
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    const address = httpServer.address() as AddressInfo;
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
    log.info(
      {
        url,
        upstream: demo ? 'embedded simulator' : baseUrl,
        serviceCredentials: serviceTokens !== undefined,
      },
      'gateway listening',
    );
    return url;
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
    await limiter?.close();
    limiter = undefined;
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

/**
 * The gateway's parts, each built from the settings it needs: what
 * server.ts `start()` lists in the order they depend on each other.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type InvalidationSource, ResponseCache } from './cache/response-cache.js';
import { createMemoryStore } from './cache/response-store.js';
import { actsOnAmbientCredentials, type Config, tracesUrl } from './config.js';
import { CredentialVerdicts } from './edge/credential-verdicts.js';
import { answerClientErrors, limitChunkedBodies, type RouteDeps, routes } from './edge/http-routes.js';
import type { Readiness } from './edge/readiness.js';
import type { LiveStore } from './live/live-store.js';
import { LiveUpdates } from './live/live-updates.js';
import type { RefreshBus } from './live/refresh-bus.js';
import { watchManifest } from './pipeline/manifest-reload.js';
import { loadManifest, TrustedDocuments } from './pipeline/trusted-documents.js';
import type { Logger } from './telemetry/logger.js';
import { PrometheusMetrics } from './telemetry/prometheus.js';
import type { Tracing } from './telemetry/tracing-setup.js';
import type { Send } from './upstream/call.js';
import { UpstreamHttp } from './upstream/http.js';
import { ServiceTokenSource } from './upstream/service-token.js';
import type { WebSocketOptions } from './websocket/graphql-ws-server.js';

/**
 * The trusted documents: the manifest (PERSISTED_DOCUMENTS), read first so
 * that a broken one stops the start before anything else starts, and
 * watched for changes from then on (manifest-reload.ts); and the APQ store.
 * Also the manifest's operation names, for the metrics' labels.
 */
export function createTrustedDocuments(
  config: Config,
  log: Logger,
): {
  trustedDocuments: TrustedDocuments;
  operationNames: ReadonlySet<string> | undefined;
  stopWatching: () => void;
} {
  const path = config.persistedDocuments;
  const manifest = path ? loadManifest(path) : undefined;
  const trustedDocuments = new TrustedDocuments({
    manifest: manifest?.documents,
    persistedOnly: config.persistedOnly,
    apq: { maxDocumentBytes: config.apqMaxDocumentBytes, maxBytes: config.apqStoreBytes },
  });
  if (!path || !manifest) return { trustedDocuments, operationNames: undefined, stopWatching: () => {} };
  log.info(
    { manifest: path, documents: manifest.documents.size, persistedOnly: config.persistedOnly },
    'trusted documents loaded',
  );
  const stopWatching = watchManifest(path, trustedDocuments, manifest.operationNames, log);
  return { trustedDocuments, operationNames: manifest.operationNames, stopWatching };
}

/** The Run:ai client, with the transport settings; `outermost` is the tracing layer when tracing is on. */
export function createUpstream(
  config: Config,
  baseUrl: string,
  log: Logger,
  outermost?: (send: Send) => Send,
): UpstreamHttp {
  return new UpstreamHttp({
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
    outermost,
  });
}

/**
 * What carries refresh signals to the other processes: Redis when configured (it reaches every worker of
 * every replica; ioredis is loaded only then), the cluster primary's relay for a worker without it.
 */
export async function createRefreshBus(
  config: Config,
  log: Logger,
  clusterWorker: boolean,
): Promise<RefreshBus | undefined> {
  if (config.redisUrl) {
    return (await import('./live/refresh-bus.js')).createRedisBus({
      url: config.redisUrl,
      warn: (obj, msg) => log.warn(obj, msg),
      info: (obj, msg) => log.info(obj, msg),
    });
  }
  return clusterWorker ? (await import('./live/cluster-bus.js')).createClusterBus() : undefined;
}

/**
 * What Run:ai said of callers' tokens, shared by the deployment's processes: through Redis when configured
 * (a refusal anywhere reaches every replica, an acceptance anywhere vouches everywhere), through the cluster
 * primary for a worker without it (refusals only: its response cache is its own).
 */
export async function createVerdicts(config: Config, clusterWorker: boolean): Promise<CredentialVerdicts> {
  const sharing = config.redisUrl
    ? (await import('./edge/redis-verdicts.js')).createRedisVerdicts(config.redisUrl)
    : clusterWorker
      ? (await import('./edge/verdict-sharing.js')).createClusterVerdicts()
      : undefined;
  return new CredentialVerdicts({ sharing });
}

/**
 * What the processes of the deployment share of the live layer (leases, change logs, events): Redis when
 * configured, the cluster primary for a worker without it, nothing for a process on its own.
 */
export async function createLiveStore(
  config: Config,
  log: Logger,
  clusterWorker: boolean,
): Promise<LiveStore | undefined> {
  if (config.redisUrl) {
    return (await import('./live/redis-store.js')).createRedisStore({
      url: config.redisUrl,
      warn: (obj, msg) => log.warn(obj, msg),
    });
  }
  return clusterWorker ? (await import('./live/cluster-store.js')).createClusterStore() : undefined;
}

/**
 * The response cache: in this process's memory, or in Redis (RESPONSE_CACHE_STORE, default `redis` when
 * REDIS_URL is set). It drops answers on the changes other processes announce (refresh signals, over IPC
 * or Redis, for mutations) and on every change a list watcher of the deployment sees.
 */
export async function createResponseCache(
  config: Config,
  log: Logger,
  sharing: { bus: RefreshBus | undefined; live: LiveUpdates },
): Promise<ResponseCache> {
  const where = config.responseCacheStore ?? (config.redisUrl ? 'redis' : 'memory');
  const enabled = config.responseCacheTtlSeconds > 0;
  const store =
    enabled && where === 'redis' && config.redisUrl
      ? (await import('./cache/redis-response-store.js')).createRedisStore({
          url: config.redisUrl,
          maxEntryBytes: config.responseCacheMaxEntryBytes,
          maxBytes: config.responseCacheMaxBytes,
          windowMs: Math.max(config.responseCacheTtlSeconds, config.responseCacheMetricsTtlSeconds) * 1000,
          warn: (obj, msg) => log.warn(obj, msg),
        })
      : createMemoryStore({
          maxEntries: config.responseCacheMaxEntries,
          maxBytes: config.responseCacheMaxBytes,
          maxEntryBytes: config.responseCacheMaxEntryBytes,
        });
  const cache = new ResponseCache({
    store,
    ttlMs: config.responseCacheTtlSeconds * 1000,
    metricsTtlMs: config.responseCacheMetricsTtlSeconds * 1000,
  });
  if (!enabled) return cache;
  const dropped = (source: InvalidationSource) => (scope: string, poolId: string | undefined) => {
    cache.drop({ scope, poolId }, source).catch((error: Error) => {
      log.warn({ err: error.message }, 'response cache: answers not dropped');
    });
  };
  sharing.bus?.onSignal((signal) => dropped('remote')(signal.scope, signal.poolId));
  sharing.live.on('pools-changed', dropped('watcher'));
  return cache;
}

/** The live layer behind subscriptions, with its intervals, budgets and change log. */
export function createLive(
  config: Config,
  http: UpstreamHttp,
  sharing: { bus: RefreshBus | undefined; store: LiveStore | undefined },
  log: Logger,
  { settleDelaysMs, now }: { settleDelaysMs?: readonly number[] | undefined; now?: (() => Date) | undefined },
): LiveUpdates {
  return new LiveUpdates({
    http,
    ...sharing,
    log: { length: config.liveLogLength, maxAgeMs: config.liveLogMaxAgeSeconds * 1000 },
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
    ...(settleDelaysMs ? { settleDelaysMs } : {}),
    ...(now ? { now: () => now().getTime() } : {}),
    warn: (obj, msg) => log.warn(obj, msg),
    info: (obj, msg) => log.info(obj, msg),
  });
}

/** The gateway's service credentials, when both halves are set. */
export function createServiceTokens(
  config: Config,
  http: UpstreamHttp,
  log: Logger,
): ServiceTokenSource | undefined {
  if (!config.runaiClientId || !config.runaiClientSecret) return undefined;
  return new ServiceTokenSource({
    http,
    clientId: config.runaiClientId,
    clientSecret: config.runaiClientSecret,
    logger: log,
  });
}

/**
 * Who listens to the Run:ai client's attempts: readiness (Run:ai answers), the credential verdicts
 * (accepted and refused tokens) and Prometheus.
 */
export function observeUpstream(
  http: UpstreamHttp,
  readiness: Readiness,
  verdicts: CredentialVerdicts,
  prometheus: PrometheusMetrics,
): void {
  http.on('attempt', (event) => {
    if (typeof event.status === 'number') readiness.markAnswered(event.status);
    verdicts.observe(event.scope, event.status);
    prometheus.upstreamCall(event);
  });
}

/** Prometheus, reading its gauges from the parts, and counting the live layer's polls and drops. */
export function createPrometheus(
  config: Config,
  parts: {
    http: UpstreamHttp;
    live: LiveUpdates;
    bus: RefreshBus | undefined;
    trustedDocuments: TrustedDocuments;
    operationNames: ReadonlySet<string> | undefined;
    clusterWorker: boolean;
    cache: ResponseCache;
  },
): PrometheusMetrics {
  const { http, live, bus, trustedDocuments, cache } = parts;
  const prometheus = new PrometheusMetrics(
    {
      subscriptions: () => live.subscriptions,
      queuedBytes: () => live.queuedBytes,
      apqBytes: () => trustedDocuments.apqBytes,
      pollers: () => live.pollers,
      leases: () => live.leases,
      openCircuits: () => http.openCircuits,
      backingOff: () => http.backingOff,
      redisConnected: config.redisUrl && bus ? () => bus.connected : undefined,
      responseCache: cache.usage ? () => cache.usage : undefined,
    },
    { machineWide: parts.clusterWorker, operationNames: parts.operationNames },
  );
  live.on('poll', (kind, outcome) => prometheus.livePoll(kind, outcome));
  live.on('drop', (kind) => prometheus.liveEventDropped(kind));
  live.on('handover', (kind) => prometheus.liveHandover(kind));
  live.on('replayed', (count) => prometheus.liveResume(count));
  live.on('resync', () => prometheus.liveResume('resync'));
  cache.on('hit', () => prometheus.responseCacheLookup('hit'));
  cache.on('miss', () => prometheus.responseCacheLookup('miss'));
  cache.on('invalidation', (source, dropped) => prometheus.responseCacheInvalidation(source, dropped));
  return prometheus;
}

/** The node:http server of the routes, with its body cap and its answers to malformed requests. */
export function createHttpServer(deps: RouteDeps): Server {
  const server = createServer(routes(deps));
  limitChunkedBodies(server, deps.config.maxBodyBytes);
  answerClientErrors(server);
  return server;
}

/** Hosts answered besides loopback names, when the gateway acts on ambient credentials (ALLOWED_HOSTS). */
export function allowedHostsOf(config: Config): readonly string[] | undefined {
  return actsOnAmbientCredentials(config) ? config.allowedHosts : undefined;
}

/** The WebSocket endpoint's settings: its path, caps and checks. */
export function webSocketOptions(
  config: Config,
  demo: boolean,
  trustProxy: WebSocketOptions['trustProxy'],
  log: Logger,
  paths: WebSocketOptions['paths'],
): WebSocketOptions {
  return {
    paths,
    maxPayloadBytes: config.maxBodyBytes,
    trustProxy,
    allowedHosts: allowedHostsOf(config),
    connectionInitWaitTimeoutMs: config.wsConnectionInitTimeoutMs,
    maxSubscriptionsPerConnection: config.wsMaxSubscriptionsPerConnection,
    allowAnonymous: demo,
    allowedOrigins: config.corsOrigins,
    log,
  };
}

/** Listens on `port` and `host`; resolves the URL clients reach it by. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
}

/** OpenTelemetry, loaded only when an OTLP endpoint is configured: otherwise tracing costs nothing. */
export async function loadTracing(config: Config, log: Logger): Promise<Tracing | undefined> {
  const url = tracesUrl(config);
  if (!url) return undefined;
  return (await import('./telemetry/tracing-setup.js')).startTracing({
    url,
    warn: (obj, msg) => log.warn(obj, msg),
  });
}

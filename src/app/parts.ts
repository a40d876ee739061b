/**
 * The gateway's parts, each built from the settings it needs: what
 * app/app.ts `start()` lists in the order they depend on each other. This
 * is where settings become the options of the layers below; no rule lives
 * here.
 */
import { actsOnAmbientCredentials, type Config, tracesUrl } from '../config.js';
import { watchManifest } from '../graphql/manifest-reload.js';
import { type InvalidationSource, ResponseCache } from '../graphql/plugins/response-cache/response-cache.js';
import { createMemoryStore } from '../graphql/plugins/response-cache/response-store.js';
import { loadManifest, TrustedDocuments } from '../graphql/trusted-documents.js';
import type { LiveStore } from '../live/coordination/live-store.js';
import type { RefreshBus } from '../live/coordination/refresh-bus.js';
import { LiveUpdates } from '../live/live-updates.js';
import { connectRedis, type RedisConnection } from '../redis/connection.js';
import type { Logger } from '../telemetry/logger.js';
import { PrometheusMetrics } from '../telemetry/prometheus.js';
import type { Tracing } from '../telemetry/tracing-setup.js';
import { CredentialVerdicts } from '../upstream/credential-verdicts.js';
import { UpstreamHttp } from '../upstream/http.js';
import { ServiceTokenSource } from '../upstream/service-token.js';

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
  documents: TrustedDocuments;
  operationNames: ReadonlySet<string> | undefined;
  stopWatching: () => void;
} {
  const path = config.persistedDocuments;
  const manifest = path ? loadManifest(path) : undefined;
  const documents = new TrustedDocuments({
    manifest: manifest?.documents,
    persistedOnly: config.persistedOnly,
    apq: { maxDocumentBytes: config.apqMaxDocumentBytes, maxBytes: config.apqStoreBytes },
  });
  if (!path || !manifest) return { documents, operationNames: undefined, stopWatching: () => {} };
  log.info(
    { manifest: path, documents: manifest.documents.size, persistedOnly: config.persistedOnly },
    'trusted documents loaded',
  );
  const stopWatching = watchManifest(path, documents, manifest.operationNames, log);
  return { documents, operationNames: manifest.operationNames, stopWatching };
}

/** OpenTelemetry, loaded only when an OTLP endpoint is configured: otherwise tracing costs nothing. */
export async function loadTracing(config: Config, log: Logger): Promise<Tracing | undefined> {
  const url = tracesUrl(config);
  if (!url) return undefined;
  return (await import('../telemetry/tracing-setup.js')).startTracing({
    url,
    warn: (obj, msg) => log.warn(obj, msg),
  });
}

/** The Run:ai client, with the transport settings, and a span per call when tracing is on. */
export async function createUpstream(
  config: Config,
  baseUrl: string,
  log: Logger,
  tracing: Tracing | undefined,
): Promise<UpstreamHttp> {
  const trace = tracing ? (await import('../upstream/trace.js')).withTracing : undefined;
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
    outermost: tracing && trace ? (send) => trace(send, tracing) : undefined,
  });
}

/** The process's two connections to Redis (REDIS_URL), which every feature shares; none without it. */
export function createRedis(config: Config, log: Logger): RedisConnection | undefined {
  if (!config.redisUrl) return undefined;
  return connectRedis({
    url: config.redisUrl,
    warn: (obj, msg) => log.warn(obj, msg),
    info: (obj, msg) => log.info(obj, msg),
  });
}

/**
 * What Run:ai said of callers' tokens, shared by the deployment's processes: through Redis when configured
 * (a refusal anywhere reaches every replica, an acceptance anywhere vouches everywhere), through the cluster
 * primary for a worker without it (refusals only: its response cache is its own).
 */
export async function createVerdicts(
  redis: RedisConnection | undefined,
  clusterWorker: boolean,
): Promise<CredentialVerdicts> {
  const sharing = redis
    ? (await import('../upstream/redis-verdicts.js')).createRedisVerdicts(redis)
    : clusterWorker
      ? (await import('../upstream/verdict-sharing.js')).createClusterVerdicts()
      : undefined;
  return new CredentialVerdicts({ sharing });
}

/**
 * What carries refresh signals to the other processes: Redis when configured (it reaches every worker of
 * every replica), the cluster primary's relay for a worker without it.
 */
export async function createRefreshBus(
  redis: RedisConnection | undefined,
  log: Logger,
  clusterWorker: boolean,
): Promise<RefreshBus | undefined> {
  if (redis) {
    return (await import('../live/coordination/refresh-bus.js')).createRedisBus(redis, (obj, msg) =>
      log.warn(obj, msg),
    );
  }
  return clusterWorker ? (await import('../live/coordination/cluster-bus.js')).createClusterBus() : undefined;
}

/**
 * What the processes of the deployment share of the live layer (leases, change logs, events): Redis when
 * configured, the cluster primary for a worker without it, nothing for a process on its own.
 */
export async function createLiveStore(
  redis: RedisConnection | undefined,
  log: Logger,
  clusterWorker: boolean,
): Promise<LiveStore | undefined> {
  if (redis) {
    return (await import('../live/coordination/redis-store.js')).createRedisStore({
      redis,
      warn: (obj, msg) => log.warn(obj, msg),
    });
  }
  return clusterWorker
    ? (await import('../live/coordination/cluster-store.js')).createClusterStore()
    : undefined;
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

/**
 * The response cache: in this process's memory, or in Redis (responseCacheStore, default `redis` when
 * REDIS_URL is set). It drops answers on the changes other processes announce (refresh signals, over IPC
 * or Redis, for mutations) and on every change a list watcher of the deployment sees.
 */
export async function createResponseCache(
  config: Config,
  log: Logger,
  sharing: { redis: RedisConnection | undefined; bus: RefreshBus | undefined; live: LiveUpdates },
): Promise<ResponseCache> {
  const where = config.responseCacheStore ?? (sharing.redis ? 'redis' : 'memory');
  const enabled = config.responseCacheTtlSeconds > 0;
  const store =
    enabled && where === 'redis' && sharing.redis
      ? (await import('../graphql/plugins/response-cache/redis-response-store.js')).createRedisStore({
          redis: sharing.redis,
          maxEntryBytes: config.responseCacheMaxEntryBytes,
          maxBytes: config.responseCacheMaxBytes,
          windowMs: Math.max(config.responseCacheTtlSeconds, config.responseCacheMetricsTtlSeconds) * 1000,
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

/** Prometheus, reading its gauges from the parts, and counting the live layer's polls and drops. */
export function createPrometheus(parts: {
  http: UpstreamHttp;
  live: LiveUpdates;
  redis: RedisConnection | undefined;
  documents: TrustedDocuments;
  operationNames: ReadonlySet<string> | undefined;
  clusterWorker: boolean;
  cache: ResponseCache;
}): PrometheusMetrics {
  const { http, live, redis, documents, cache } = parts;
  const prometheus = new PrometheusMetrics(
    {
      subscriptions: () => live.subscriptions,
      queuedBytes: () => live.queuedBytes,
      apqBytes: () => documents.apqBytes,
      pollers: () => live.topicCounts,
      leases: () => live.leases,
      openCircuits: () => http.openCircuits,
      backingOff: () => http.backingOff,
      redisConnected: redis ? () => redis.connected : undefined,
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

/** Hosts answered besides loopback names, when the gateway acts on ambient credentials (ALLOWED_HOSTS). */
export function allowedHostsOf(config: Config): readonly string[] | undefined {
  return actsOnAmbientCredentials(config) ? config.allowedHosts : undefined;
}

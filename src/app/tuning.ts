/**
 * The tuning knobs: everything a deployment rarely changes. Each default is
 * the constant of the module that uses it; this file only says what range
 * an override may take. Overrides come from one setting, TUNING (a JSON
 * object, or the path of a file holding one), keyed by these names.
 */
import { z } from 'zod';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../graphql/context.js';
import { DEFAULT_METRICS_TTL_MS } from '../graphql/plugins/response-cache/response-cache.js';
import { MEMORY_STORE_DEFAULTS } from '../graphql/plugins/response-cache/response-store.js';
import { COST_LIMIT_DEFAULTS } from '../graphql/plugins/use-cost-limit.js';
import { QUERY_LIMIT_DEFAULTS } from '../graphql/plugins/use-query-limits.js';
import { DEFAULT_APQ_LIMITS } from '../graphql/trusted-documents.js';
import { DEFAULT_MAX_BODY_BYTES } from '../http/body-limits.js';
import { DEFAULT_LIVE_LIMITS } from '../live/fan-out/caller-budgets.js';
import { LIVE_DEFAULTS } from '../live/live-updates-types.js';
import { DEFAULT_METRICS_CONCURRENCY } from '../loaders/index.js';
import { CIRCUIT_DEFAULTS } from '../upstream/circuit.js';
import { UPSTREAM_DEFAULTS } from '../upstream/http.js';
import { WS_DEFAULTS } from '../websocket/graphql-ws-server.js';
import { bool, int } from './settings.js';

export const tuningShape = {
  // Run:ai calls (src/upstream/http.ts, circuit.ts; src/loaders/)
  /** Milliseconds to establish a TCP/TLS connection to Run:ai. */
  upstreamConnectTimeoutMs: int(1).default(UPSTREAM_DEFAULTS.connectTimeoutMs),
  /** Milliseconds to Run:ai's response headers, and the longest pause between body chunks. */
  upstreamHeadersTimeoutMs: int(1).default(UPSTREAM_DEFAULTS.headersTimeoutMs),
  /** Milliseconds one upstream call may take in total, retries included. */
  upstreamTotalTimeoutMs: int(1).default(UPSTREAM_DEFAULTS.totalTimeoutMs),
  /** Retries of idempotent calls (GET, PUT, DELETE) on 429/502/503/504 and connection failures. */
  upstreamMaxRetries: int(0, 5).default(UPSTREAM_DEFAULTS.maxRetries),
  /** Keep-alive connections to Run:ai. */
  upstreamConnections: int(1, 1024).default(UPSTREAM_DEFAULTS.connections),
  /** Run:ai calls one credential may have in flight at once. */
  upstreamConcurrencyPerCredential: int(1, 1024).default(UPSTREAM_DEFAULTS.concurrencyPerCredential),
  /** Largest Run:ai answer read, in bytes. */
  upstreamMaxBodyBytes: int(64 * 1024).default(UPSTREAM_DEFAULTS.maxBodyBytes),
  /** Circuit breaker: share of a credential's failed calls in a rolling 10 s window that opens it. */
  circuitErrorThresholdPercent: int(1, 100).default(CIRCUIT_DEFAULTS.errorThresholdPercentage),
  /** Circuit breaker: calls within the window before it may open. */
  circuitVolumeThreshold: int(1).default(CIRCUIT_DEFAULTS.volumeThreshold),
  /** Circuit breaker: how long it stays open before a trial call. */
  circuitResetTimeoutMs: int(100).default(CIRCUIT_DEFAULTS.resetTimeoutMs),
  /** Metrics calls one GraphQL request may run at once. */
  metricsConcurrency: int(1, 1024).default(DEFAULT_METRICS_CONCURRENCY),

  // Requests and documents (src/http/, src/graphql/)
  /** Deadline of one GraphQL request over HTTP, all its upstream calls included. */
  requestTimeoutMs: int(100).default(DEFAULT_REQUEST_TIMEOUT_MS),
  /** Largest request body accepted, in bytes; also the largest WebSocket message. */
  maxBodyBytes: int(1_024).default(DEFAULT_MAX_BODY_BYTES),
  /** Deepest selection. */
  maxDepth: int(1, 100).default(QUERY_LIMIT_DEFAULTS.maxDepth),
  /** Aliases in one document. */
  maxAliases: int(0).default(QUERY_LIMIT_DEFAULTS.maxAliases),
  /** Lexical tokens in one document. */
  maxTokens: int(1).default(QUERY_LIMIT_DEFAULTS.maxTokens),
  /** Directives in one document. */
  maxDirectives: int(0).default(QUERY_LIMIT_DEFAULTS.maxDirectives),
  /** Values an answer may hold (every object and leaf once, lists by their length). */
  maxCost: int(1).default(COST_LIMIT_DEFAULTS.maxCost),
  /** Metric samples one answer may hold (pools × series × samples, known before any call). */
  maxResponseSamples: int(1).default(COST_LIMIT_DEFAULTS.maxResponseSamples),
  /** Run:ai calls one operation may make (a subscription: per event), predicted before any call. */
  maxUpstreamCalls: int(1).default(COST_LIMIT_DEFAULTS.maxUpstreamCalls),
  /** Hide "did you mean …" field suggestions; default on when NODE_ENV is production. */
  hideFieldSuggestions: bool.default(process.env['NODE_ENV'] === 'production'),
  /** APQ: the largest document kept for later requests (a larger one runs, but is not kept). */
  apqMaxDocumentBytes: int(1024).default(DEFAULT_APQ_LIMITS.maxDocumentBytes),
  /** APQ: bytes of documents kept in all (each credential at most an eighth). */
  apqStoreBytes: int(64 * 1024).default(DEFAULT_APQ_LIMITS.maxBytes),

  // Live updates (src/live/, src/websocket/)
  /** Poll interval of the metrics pollers behind `nodePoolMetrics`. */
  metricsPollIntervalMs: int(1_000).default(LIVE_DEFAULTS.metricsIntervalMs),
  /** Events kept per credential scope for subscribers that resume with `after` (or SSE's Last-Event-ID). */
  liveLogLength: int(1, 100_000).default(LIVE_DEFAULTS.log.length),
  /** Age past which a scope's logged events are dropped; a resume from an older cursor gets RESYNC. */
  liveLogMaxAgeSeconds: int(1, 604_800).default(LIVE_DEFAULTS.log.maxAgeMs / 1000),
  /** Events kept for a subscriber that reads slower than they come. */
  subscriptionQueueSize: int(1, 100_000).default(LIVE_DEFAULTS.queueCapacity),
  /** Bytes kept for such a subscriber. */
  subscriptionQueueBytes: int(1024).default(LIVE_DEFAULTS.queueBytes),
  /** Subscriptions one caller may hold at once, over every WebSocket and SSE connection together. */
  liveMaxSubscriptionsPerCaller: int(1).default(DEFAULT_LIVE_LIMITS.subscriptionsPerCaller),
  /** Metrics pollers (distinct pool and window of `nodePoolMetrics`) one caller's subscriptions may hold. */
  liveMaxMetricsPollersPerCaller: int(1).default(DEFAULT_LIVE_LIMITS.metricsPollersPerCaller),
  /** Bytes queued for one caller's slow subscribers, all together. */
  liveMaxQueuedBytesPerCaller: int(64 * 1024).default(DEFAULT_LIVE_LIMITS.queuedBytesPerCaller),
  /** Bytes queued for every slow subscriber of the process together. */
  liveMaxQueuedBytes: int(64 * 1024).default(DEFAULT_LIVE_LIMITS.queuedBytes),
  /** Milliseconds a WebSocket client has to send `connection_init`. */
  wsConnectionInitTimeoutMs: int(100).default(WS_DEFAULTS.connectionInitWaitTimeoutMs),
  /** Subscriptions one WebSocket connection may hold at once. */
  wsMaxSubscriptionsPerConnection: int(1, 10_000).default(WS_DEFAULTS.maxSubscriptionsPerConnection),

  // Response cache (src/graphql/plugins/response-cache/)
  /** The longest a metrics answer is kept; within it, one sampling step of the window asked. */
  responseCacheMetricsTtlSeconds: int(0, 3_600).default(DEFAULT_METRICS_TTL_MS / 1000),
  /** Answers kept per process (the memory store). */
  responseCacheMaxEntries: int(1, 1_000_000).default(MEMORY_STORE_DEFAULTS.maxEntries),
  /** Bytes of answers kept per process (memory store), or by the whole deployment in Redis. */
  responseCacheMaxBytes: int(64 * 1024).default(MEMORY_STORE_DEFAULTS.maxBytes),
  /** The largest answer kept, in bytes (either store). */
  responseCacheMaxEntryBytes: int(1024).default(MEMORY_STORE_DEFAULTS.maxEntryBytes),
  /** Where answers live: `memory` (each process) or `redis` (shared). Default `redis` when REDIS_URL is set. */
  responseCacheStore: z.enum(['memory', 'redis']).optional(),

  // Demo mode
  /** Pools the embedded simulator generates (0: the demo seed). */
  simulatorPools: int(0, 100_000).default(0),
};

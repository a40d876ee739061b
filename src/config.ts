import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { trustProxies } from './http/callers.js';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** A comma-separated list (empty by default), each entry trimmed, each checked by `problem` when given. */
const commaList = (problem?: (entry: string) => string | undefined) =>
  z
    .string()
    .default('')
    .transform((list, ctx) => {
      const entries = list
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      for (const entry of entries) {
        const message = problem?.(entry);
        if (message) ctx.addIssue({ code: 'custom', message });
      }
      return entries;
    });

/**
 * Every setting of the gateway, validated once at start-up. Each key maps to
 * an environment variable of the same name in SCREAMING_SNAKE case (see
 * README "Configuration").
 */
export const configSchema = z
  .object({
    /** Port of the gateway's HTTP server. 0 picks a free port. */
    port: int(0, 65535).default(4000),
    /** Address the gateway listens on; default all interfaces, but loopback in demo mode (no RUNAI_URL). */
    host: z.string().optional(),
    /**
     * Host names (comma-separated, without port) answered besides loopback names when the gateway acts on
     * ambient credentials (demo mode, service credentials): a defence against DNS rebinding.
     */
    allowedHosts: commaList().transform((hosts) => hosts.map((host) => host.toLowerCase())),
    /**
     * Processes serving the port (node:cluster workers behind one primary); `auto`: one per CPU the
     * process may run on. 1: no cluster, a single process.
     */
    workers: z
      .union([z.literal('auto'), int(1, 1024)], { error: "must be a positive integer or 'auto'" })
      .transform((n) => (n === 'auto' ? availableParallelism() : n))
      .default(1),
    /** Base URL of the Run:ai control plane. Unset: demo mode with the embedded simulator. */
    runaiUrl: z.url().optional(),
    /** Milliseconds to establish a TCP/TLS connection to Run:ai. */
    upstreamConnectTimeoutMs: int(1).default(5_000),
    /** Milliseconds to wait for Run:ai's response headers. */
    upstreamHeadersTimeoutMs: int(1).default(10_000),
    /** Milliseconds one upstream call may take in total, retries included. */
    upstreamTotalTimeoutMs: int(1).default(30_000),
    /** Retries of idempotent calls (GET, PUT, DELETE) on 429/502/503/504 and connection resets. */
    upstreamMaxRetries: int(0, 5).default(2),
    /** Keep-alive connections per upstream origin. */
    upstreamConnections: int(1, 1024).default(128),
    /** Run:ai calls one credential may have in flight at once, so one caller cannot take every connection. */
    upstreamConcurrencyPerCredential: int(1, 1024).default(64),
    /** Largest Run:ai answer read, in bytes: a 500-pool page is about 0.5 MB, 11 metric types × 1,000 samples about 1 MB. */
    upstreamMaxBodyBytes: int(64 * 1024).default(8 * 1024 * 1024),
    /** At most this many metrics calls run at once for one GraphQL request. */
    metricsConcurrency: int(1, 1024).default(64),
    /** Poll interval of the pool list watchers behind `nodePoolChanged` and `nodePoolPhaseChanged`. */
    pollIntervalMs: int(500).default(5_000),
    /** Poll interval of the metrics pollers behind `nodePoolMetrics`. */
    metricsPollIntervalMs: int(1_000).default(15_000),
    /** Events kept per credential scope for subscribers that resume with `after` (or SSE's Last-Event-ID). */
    liveLogLength: int(1, 100_000).default(1_000),
    /** Age past which a scope's logged events are dropped; a resume from an older cursor gets RESYNC. */
    liveLogMaxAgeSeconds: int(1, 604_800).default(3_600),
    /** Events kept for a subscriber that reads slower than they come; older ones are dropped (`missedEvents`). */
    subscriptionQueueSize: int(1, 100_000).default(100),
    /** Bytes kept for such a subscriber (the newest event always, budget permitting); older events are dropped. */
    subscriptionQueueBytes: int(1024).default(1024 * 1024),
    /** Subscriptions one caller may hold at once, over every WebSocket and SSE connection together. */
    liveMaxSubscriptionsPerCaller: int(1).default(1_000),
    /** Metrics pollers (distinct pool and window of `nodePoolMetrics`) one caller's subscriptions may hold. */
    liveMaxMetricsPollersPerCaller: int(1).default(50),
    /** Bytes queued for one caller's slow subscribers, all together; past it their oldest events are dropped. */
    liveMaxQueuedBytesPerCaller: int(64 * 1024).default(16 * 1024 * 1024),
    /** Bytes queued for every slow subscriber of the process together. */
    liveMaxQueuedBytes: int(64 * 1024).default(64 * 1024 * 1024),
    /** Milliseconds a WebSocket client has to send `connection_init`. */
    wsConnectionInitTimeoutMs: int(100).default(10_000),
    /** Subscriptions one WebSocket connection may hold at once. */
    wsMaxSubscriptionsPerConnection: int(1, 10_000).default(100),
    /** Deadline of one GraphQL request over HTTP, all its upstream calls included. */
    requestTimeoutMs: int(100).default(60_000),
    /** Circuit breaker: share of failed upstream calls (5xx, timeouts, connection failures) that opens it. */
    circuitErrorThresholdPercent: int(1, 100).default(50),
    /** Circuit breaker: calls within the rolling 10 s window before it may open. */
    circuitVolumeThreshold: int(1).default(10),
    /** Circuit breaker: how long it stays open before letting a trial call through. */
    circuitResetTimeoutMs: int(100).default(10_000),
    /** Query limits (graphql-armor): deepest selection. */
    maxDepth: int(1, 100).default(12),
    /**
     * Query limits: values an answer may hold (every object and leaf once, lists by their length:
     * page sizes, metric series and samples). The reference dashboard holds about 4,500; a 500-pool one 45,000.
     */
    maxCost: int(1).default(250_000),
    /** Query limits: aliases in one document. */
    maxAliases: int(0).default(50),
    /** Query limits: lexical tokens in one document. */
    maxTokens: int(1).default(2_000),
    /** Query limits: directives in one document. */
    maxDirectives: int(0).default(20),
    /** Metric samples one answer may hold (pools × series × samples, known before any call). */
    maxResponseSamples: int(1).default(100_000),
    /**
     * Run:ai calls one operation may make (a subscription: per event), predicted before any call from its
     * arguments and selection, and counted as it runs. The reference dashboard makes 52.
     */
    maxUpstreamCalls: int(1).default(200),
    /** GraphQL operations one credential (or, without a token of its own, one client address) may send per minute; 0: no limit. */
    rateLimitPerMinute: int(0).default(6_000),
    /**
     * Proxies whose `X-Forwarded-For` is believed for the client address (charged by the rate limit): addresses,
     * CIDRs, or `loopback`, `linklocal`, `uniquelocal`, comma-separated. Empty: the TCP peer is the client.
     */
    trustedProxies: commaList((entry) => {
      try {
        trustProxies([entry]);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    }),
    /** Browser origins allowed to call the gateway cross-site, comma-separated exact origins (`https://app.example.com`). Empty: none. */
    corsOrigins: commaList((origin) => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      return parsed?.origin === origin
        ? undefined
        : `'${origin}' is not an exact origin such as https://app.example.com`;
    }),
    /** Largest request body accepted, in bytes. */
    maxBodyBytes: int(1_024).default(256 * 1024),
    /** Answer introspection queries (GraphiQL and codegen need it); off also refuses `_service` on /subgraph. */
    introspection: bool.default(true),
    /**
     * The federation router's secret: a request to /subgraph whose `x-router-secret` header carries it gets
     * `_service { sdl }` without a Run:ai token, also with INTROSPECTION=false. Unset: only tokens Run:ai
     * accepts get the SDL.
     */
    routerSecret: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Hide "did you mean …" field suggestions; default on when NODE_ENV is production. */
    hideFieldSuggestions: bool.default(process.env['NODE_ENV'] === 'production'),
    /** Milliseconds in-flight requests get to finish on SIGTERM/SIGINT before sockets are closed. */
    shutdownTimeoutMs: int(0).default(10_000),
    /** Service credentials: a Run:ai application's client id, used for callers who send no token. */
    runaiClientId: z.string().min(1).optional(),
    /** Service credentials: the application's secret. */
    runaiClientSecret: z.string().min(1).optional(),
    /**
     * Redis for what replicas share (the live pollers' leases, logs and events; refresh signals; rate-limit
     * counts), e.g. `redis://redis:6379`. Unset: one replica, in memory.
     */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    /**
     * Response cache: seconds a query's answer holding pool data (a pool, a list, a count) is served again to
     * the same credential scope without asking Run:ai. 0 turns the cache off.
     */
    responseCacheTtlSeconds: int(0, 3_600).default(5),
    /**
     * Response cache: the longest a metrics answer is kept; within it, one sampling step of the window asked
     * (its length / samples), since a new sample comes each step. 0: metrics answers are never cached.
     */
    responseCacheMetricsTtlSeconds: int(0, 3_600).default(60),
    /** Response cache: answers kept per process (the memory store); least recently used go first. */
    responseCacheMaxEntries: int(1, 1_000_000).default(10_000),
    /**
     * Response cache: bytes of answers kept per process (the memory store; least recently used go first), or
     * by the whole deployment in Redis (past it, answers are served but not kept until older ones expire).
     */
    responseCacheMaxBytes: int(64 * 1024).default(64 * 1024 * 1024),
    /** Response cache: the largest answer kept, in bytes (either store); a larger one is served, not kept. */
    responseCacheMaxEntryBytes: int(1024).default(1024 * 1024),
    /**
     * Response cache: where answers live. `memory`: each process its own, invalidations sent to the others;
     * `redis`: in REDIS_URL's Redis, shared by every replica. Default `redis` when REDIS_URL is set.
     */
    responseCacheStore: z.enum(['memory', 'redis']).optional(),
    /** Log level of the JSON logs. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Serve GraphiQL on GET /graphql for browsers. */
    graphiql: bool.default(true),
    /** Pools the embedded simulator generates in demo mode (0: the demo seed). */
    simulatorPools: int(0, 100_000).default(0),
    /** Trusted documents: a JSON manifest of hash → document (graphql-codegen's client preset, relay-compiler). */
    persistedDocuments: z.string().min(1).optional(),
    /** Run only the manifest's documents: any other is refused with PERSISTED_QUERY_ONLY. */
    persistedOnly: bool.default(false),
    /** APQ: the largest document kept for later requests (a larger one runs, but is not kept). */
    apqMaxDocumentBytes: int(1024).default(32 * 1024),
    /** APQ: bytes of documents kept in all (each credential at most an eighth); least recently used go first. */
    apqStoreBytes: int(64 * 1024).default(8 * 1024 * 1024),
    /**
     * OpenTelemetry: the OTLP/HTTP collector's base URL (`/v1/traces` is appended). With neither endpoint set
     * tracing is off and costs nothing; the other `OTEL_*` variables are read by the SDK itself.
     */
    otelExporterOtlpEndpoint: z.url().optional(),
    /** OpenTelemetry: the full URL traces are posted to; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
    otelExporterOtlpTracesEndpoint: z.url().optional(),
    /** OpenTelemetry's switch: `true` turns tracing off whatever the endpoints say. */
    otelSdkDisabled: bool.default(false),
  })
  .refine((c) => !c.persistedOnly || c.persistedDocuments !== undefined, {
    message: 'PERSISTED_ONLY needs PERSISTED_DOCUMENTS, the manifest of the documents that may run',
    path: ['persistedOnly'],
  })
  .refine((c) => c.responseCacheStore !== 'redis' || c.redisUrl !== undefined, {
    message: 'RESPONSE_CACHE_STORE=redis needs REDIS_URL',
    path: ['responseCacheStore'],
  })
  .refine((c) => (c.runaiClientId === undefined) === (c.runaiClientSecret === undefined), {
    message: 'set both RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET, or neither',
    path: ['runaiClientId'],
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** The address to listen on: HOST, else all interfaces, or loopback in demo mode (which acts as an admin). */
export function listenHost(config: Config): string {
  return config.host ?? (config.runaiUrl === undefined ? '127.0.0.1' : '0.0.0.0');
}

/** Whether the gateway acts on credentials callers did not send: demo mode or service credentials. */
export function actsOnAmbientCredentials(config: Config): boolean {
  return config.runaiUrl === undefined || config.runaiClientId !== undefined;
}

/** Maps a config key to its environment variable: `pollIntervalMs` → `POLL_INTERVAL_MS`. */
export function envName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * Reads the configuration from environment variables and validates it.
 * Empty variables count as unset. Throws a readable error naming every
 * variable that is wrong.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse({ ...raw, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${envName(String(i.path[0] ?? ''))}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/** Builds a complete config from partial settings, without reading the environment (tests, embedding). */
export function makeConfig(overrides: ConfigInput = {}): Config {
  return loadConfig({}, overrides);
}

/**
 * Where the gateway posts its traces (OTLP over HTTP), as the OpenTelemetry SDK would build it from the
 * same variables; undefined when tracing is off.
 */
export function tracesUrl(config: Config): string | undefined {
  if (config.otelSdkDisabled) return undefined;
  if (config.otelExporterOtlpTracesEndpoint) return config.otelExporterOtlpTracesEndpoint;
  if (!config.otelExporterOtlpEndpoint) return undefined;
  return `${config.otelExporterOtlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
}

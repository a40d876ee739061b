/**
 * The deployment settings: what a person deploying the gateway sets, one
 * environment variable each (docs/configuration.md, grouped by task). Every
 * other knob is a tuning knob (tuning.ts), whose default sits beside the
 * code that uses it.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { trustProxies } from '../http/callers.js';

export const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

export const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

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

const exactOrigin = (origin: string): string | undefined => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  return parsed?.origin === origin
    ? undefined
    : `'${origin}' is not an exact origin such as https://app.example.com`;
};

const proxyProblem = (entry: string): string | undefined => {
  try {
    trustProxies([entry]);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/** Each key is the environment variable of the same name in SCREAMING_SNAKE case. */
export const settingsShape = {
  // Serving
  /** Port of the gateway's HTTP server. 0 picks a free port. */
  port: int(0, 65535).default(4000),
  /** Address the gateway listens on; default all interfaces, but loopback in demo mode (no RUNAI_URL). */
  host: z.string().optional(),
  /**
   * Processes serving the port (node:cluster workers behind one primary); `auto`: one per CPU the
   * process may run on. 1: no cluster, a single process.
   */
  workers: z
    .union([z.literal('auto'), int(1, 1024)], { error: "must be a positive integer or 'auto'" })
    .transform((n) => (n === 'auto' ? availableParallelism() : n))
    .default(1),
  /** Milliseconds in-flight requests get to finish on SIGTERM/SIGINT before sockets are closed. */
  shutdownTimeoutMs: int(0).default(10_000),
  /** Log level of the JSON logs. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Run:ai
  /** Base URL of the Run:ai control plane. Unset: demo mode with the embedded simulator. */
  runaiUrl: z.url().optional(),
  /** Service credentials: a Run:ai application's client id, used for callers who send no token. */
  runaiClientId: z.string().min(1).optional(),
  /** Service credentials: the application's secret. */
  runaiClientSecret: z.string().min(1).optional(),

  // Callers and browsers
  /** Browser origins allowed to call the gateway cross-site, comma-separated exact origins. Empty: none. */
  corsOrigins: commaList(exactOrigin),
  /**
   * Host names (comma-separated, without port) answered besides loopback names when the gateway acts on
   * ambient credentials (demo mode, service credentials): a defence against DNS rebinding.
   */
  allowedHosts: commaList().transform((hosts) => hosts.map((host) => host.toLowerCase())),
  /**
   * Proxies whose `X-Forwarded-For` is believed for the client address (charged by the rate limit): addresses,
   * CIDRs, or `loopback`, `linklocal`, `uniquelocal`, comma-separated. Empty: the TCP peer is the client.
   */
  trustedProxies: commaList(proxyProblem),
  /** GraphQL operations one credential (or, without a token of its own, one client address) may send per minute; 0: no limit. */
  rateLimitPerMinute: int(0).default(6_000),

  // Schema exposure and trusted documents
  /** Answer introspection queries (GraphiQL and codegen need it); off also refuses `_service` on /subgraph. */
  introspection: bool.default(true),
  /** Serve GraphiQL on GET /graphql for browsers. */
  graphiql: bool.default(true),
  /**
   * The federation router's secret: a request to /subgraph whose `x-router-secret` header carries it gets
   * `_service { sdl }` without a Run:ai token, also with INTROSPECTION=false.
   */
  routerSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Trusted documents: a JSON manifest of hash → document (graphql-codegen's client preset, relay-compiler). */
  persistedDocuments: z.string().min(1).optional(),
  /** Run only the manifest's documents: any other is refused with PERSISTED_QUERY_ONLY. */
  persistedOnly: bool.default(false),

  // Freshness and scale-out
  /** Poll interval of the pool list watchers behind `nodePoolChanged` and `nodePoolPhaseChanged`. */
  pollIntervalMs: int(500).default(5_000),
  /**
   * Response cache: seconds a query's answer holding pool data is served again to the same credential
   * scope without asking Run:ai. 0 turns the cache off.
   */
  responseCacheTtlSeconds: int(0, 3_600).default(5),
  /**
   * Redis for what replicas share (the live pollers' leases, logs and events; refresh signals; rate-limit
   * counts; the response cache). Unset: one replica, in memory.
   */
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),

  // Tracing: OpenTelemetry's own variables, which the SDK reads too
  /** The OTLP/HTTP collector's base URL (`/v1/traces` is appended). Unset: no tracing, at no cost. */
  otelExporterOtlpEndpoint: z.url().optional(),
  /** The full URL traces are posted to; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  otelExporterOtlpTracesEndpoint: z.url().optional(),
  /** `true` turns tracing off whatever the endpoints say. */
  otelSdkDisabled: bool.default(false),
};

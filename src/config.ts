import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting of the gateway, validated once at start-up. Each key maps to
 * an environment variable of the same name in SCREAMING_SNAKE case (see
 * README "Configuration").
 */
export const configSchema = z.object({
  /** Port of the gateway's HTTP server. 0 picks a free port. */
  port: int(0, 65535).default(4000),
  /** Address the gateway listens on. */
  host: z.string().default('0.0.0.0'),
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
  upstreamConnections: int(1, 1024).default(64),
  /** At most this many metrics calls run at once for one GraphQL request. */
  metricsConcurrency: int(1, 1024).default(64),
  /** Poll interval of the phase watchers behind subscriptions. */
  pollIntervalMs: int(500).default(5_000),
  /** Milliseconds a WebSocket client has to send `connection_init`. */
  wsConnectionInitTimeoutMs: int(100).default(10_000),
  /** Subscriptions one WebSocket connection may hold at once. */
  wsMaxSubscriptionsPerConnection: int(1, 10_000).default(100),
  /** Log level of the JSON logs. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Serve GraphiQL on GET /graphql for browsers. */
  graphiql: bool.default(true),
  /** Pools the embedded simulator generates in demo mode (0: the demo seed). */
  simulatorPools: int(0, 100_000).default(0),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

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

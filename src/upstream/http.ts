/**
 * The HTTP client of one Run:ai origin, composed of small layers, each with
 * one job (outermost first):
 *
 *   options.outermost     when given: tracing (trace.ts), loaded only when it is on
 *   withSharedGets        identical GETs in flight share one call, per credential   inflight.ts
 *   CredentialLimits      per-credential concurrency cap and 429 back-off         credential-limits.ts
 *   CircuitBreakers       per-credential circuit, opened by Run:ai's own failures  circuit.ts
 *   withDeadline          total timeout joined to the caller's signal              deadline.ts
 *   withRetries           idempotent calls again on 429/502/503/504, Retry-After   retry.ts
 *   attempt               one exchange over undici's Pool; errors classified       attempt.ts
 */
import { EventEmitter } from 'node:events';
import { Pool } from 'undici';
import { attempt } from './attempt.js';
import type {
  HttpMethod,
  QueryValue,
  Send,
  UpstreamCallEvent,
  UpstreamLogger,
  UpstreamRequest,
  UpstreamResponse,
} from './call.js';
import { CircuitBreakers, type CircuitOptions } from './circuit.js';
import { CredentialLimits } from './credential-limits.js';
import { credentialScope } from './credential-scope.js';
import { withDeadline } from './deadline.js';
import { withSharedGets } from './inflight.js';
import type { WarnFn } from './models.js';
import { withRetries } from './retry.js';

export type {
  HttpMethod,
  QueryValue,
  UpstreamCallEvent,
  UpstreamLogger,
  UpstreamRequest,
  UpstreamResponse,
} from './call.js';
export type { CircuitOptions } from './circuit.js';

/** Settings of an {@link UpstreamHttp}. */
/** The transport's defaults (each a tuning knob: docs/configuration.md). */
export const UPSTREAM_DEFAULTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  /** One call, retries and back-off included. */
  totalTimeoutMs: 30_000,
  maxRetries: 2,
  connections: 128,
  /** So that one caller cannot take every connection. */
  concurrencyPerCredential: 64,
  /** A 500-pool page is about 0.5 MB; 11 metric types × 1,000 samples about 1 MB. */
  maxBodyBytes: 8 * 1024 * 1024,
} as const;

export interface UpstreamHttpOptions {
  /** Base URL of the Run:ai control plane; a path prefix (e.g. behind a proxy) is kept. */
  baseUrl: string;
  /** Milliseconds to establish a TCP/TLS connection. */
  connectTimeoutMs: number;
  /** Milliseconds to wait for response headers (also the idle timeout between body chunks). */
  headersTimeoutMs: number;
  /** Milliseconds one call may take in total, retries and back-off included. */
  totalTimeoutMs: number;
  /** Retries of idempotent calls (GET, PUT, DELETE). Default 2. */
  maxRetries?: number;
  /** Keep-alive connections to the origin. Default 128. */
  connections?: number;
  /** Calls one credential may have in flight at once. Default 64. */
  concurrencyPerCredential?: number;
  /** Credentials that may back off after a 429 at once (the map is bounded). Default 10,000. */
  maxBackoffCredentials?: number;
  /** Largest answer body read, in bytes; a larger one is UPSTREAM_BAD_RESPONSE. Default 8 MiB. */
  maxBodyBytes?: number;
  logger?: UpstreamLogger;
  /** First back-off delay in ms when Run:ai sends no Retry-After. Default 100. */
  retryBaseDelayMs?: number;
  /** Upper bound of one back-off delay in ms. Default 2000. */
  retryMaxDelayMs?: number;
  /** Share identical GETs made with the same token while they are in flight. Default true. */
  dedupGets?: boolean;
  /** The per-credential circuit breakers. */
  circuit?: CircuitOptions;
  /**
   * An extra layer above all others (tracing, `withTracing` of trace.ts): it sees each caller's call,
   * also those that share another's request. Given only when it is on, so it costs nothing otherwise.
   */
  outermost?: ((send: Send) => Send) | undefined;
}

/** What an {@link UpstreamHttp} tells its listeners: each HTTP attempt, after it ends. */
export interface UpstreamHttpEvents {
  attempt: [UpstreamCallEvent];
}

/**
 * HTTP client for one Run:ai origin. Every failure is an {@link UpstreamError}; a caller's abort, its reason.
 * It emits `attempt` after every HTTP attempt (readiness, metrics and credential verdicts listen), as
 * undici publishes its own on diagnostics channels: whoever listens may start listening at any time.
 */
export class UpstreamHttp extends EventEmitter<UpstreamHttpEvents> {
  readonly logger: UpstreamLogger | undefined;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly breakers: CircuitBreakers;
  private readonly limits: CredentialLimits;
  private readonly send: Send;

  constructor(options: UpstreamHttpOptions) {
    super();
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`Run:ai base URL must be http(s), got ${url.protocol}`);
    }
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.logger = options.logger;
    // Our own pool, used directly (never the global dispatcher), so its limits and timeouts apply
    // only to Run:ai and close() releases exactly these sockets.
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? UPSTREAM_DEFAULTS.connections,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.headersTimeoutMs,
      maxResponseSize: options.maxBodyBytes ?? UPSTREAM_DEFAULTS.maxBodyBytes,
    });
    const onAttempt = (event: UpstreamCallEvent) => {
      try {
        this.emit('attempt', event);
      } catch (err) {
        // A broken listener (metrics, readiness) must not fail the call.
        this.logger?.warn({ err }, 'an attempt listener threw');
      }
    };
    const retried = withRetries(attempt(this.pool, { onAttempt }), {
      maxRetries: Math.max(0, options.maxRetries ?? UPSTREAM_DEFAULTS.maxRetries),
      baseDelayMs: options.retryBaseDelayMs ?? 100,
      maxDelayMs: options.retryMaxDelayMs ?? 2_000,
      logger: options.logger,
    });
    const timed = withDeadline(retried, { totalTimeoutMs: options.totalTimeoutMs });
    this.breakers = new CircuitBreakers(timed, { ...options.circuit, logger: options.logger });
    this.limits = new CredentialLimits(this.breakers.layer, {
      concurrency: options.concurrencyPerCredential ?? UPSTREAM_DEFAULTS.concurrencyPerCredential,
      maxBackoffs: options.maxBackoffCredentials,
    });
    const shared = options.dedupGets === false ? this.limits.layer : withSharedGets(this.limits.layer);
    this.send = options.outermost ? options.outermost(shared) : shared;
  }

  /**
   * Performs one logical call and returns the parsed 2xx answer.
   *
   * @throws {UpstreamError} for non-2xx answers, connection failures, timeouts and unreadable bodies.
   * @throws the caller's `signal.reason` when the caller aborts.
   */
  request<T = unknown>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    return this.send({
      req,
      path: this.pathOf(req.path, req.query),
      scope: req.scope ?? credentialScope(req.token),
      signal: req.signal,
    }) as Promise<UpstreamResponse<T>>;
  }

  /** How many credentials have their circuit open now (for metrics). */
  get openCircuits(): number {
    return this.breakers.open;
  }

  /** How many credentials are backing off after a 429 now (for metrics). */
  get backingOff(): number {
    return this.limits.backingOff;
  }

  /** Entries of the per-credential state that callers' input can grow: back-offs and circuit breakers. */
  get credentialEntries(): { backoffs: number; breakers: number } {
    return { backoffs: this.limits.backoffEntries, breakers: this.breakers.size };
  }

  /** Closes the connection pool, letting calls in flight finish; later calls fail as UPSTREAM_UNAVAILABLE. */
  async close(): Promise<void> {
    this.breakers.shutdown();
    if (!this.pool.closed) await this.pool.close();
  }

  /** The path and query below the origin; arrays go as ONE comma-joined value (explode=false). */
  private pathOf(path: string, query: UpstreamRequest['query']): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {}) as [string, QueryValue][]) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) {
        if (value.length > 0) params.append(key, value.join(','));
      } else {
        params.append(key, String(value));
      }
    }
    const qs = params.toString();
    return `${this.basePath}${path}${qs ? `?${qs}` : ''}`;
  }
}

/** Per-request context: the transport, the caller's credentials and cancellation. */
export interface CallContext {
  http: UpstreamHttp;
  /** The caller's Run:ai bearer token; without one Run:ai answers 401. */
  token: string | undefined;
  /** The token's scope, when the caller already hashed it (credential-scope.ts); else the transport does. */
  scope?: string | undefined;
  /** Aborts the call (e.g. the GraphQL client went away). */
  signal?: AbortSignal | undefined;
  /** Receives warnings about tolerated oddities in Run:ai's answers; defaults to the transport's logger. */
  warn?: WarnFn | undefined;
  /** Absolute deadline (epoch ms) that may shorten the configured total timeout. */
  deadline?: number | undefined;
  /** Told of every call made (one per logical call). */
  onCall?: (() => void) | undefined;
  /** Asked before each retry of a call: false keeps it from being sent (the caller's budget is spent). */
  onRetry?: (() => boolean) | undefined;
  /** Told of every call that failed, before its error reaches the caller. */
  onError?: ((error: unknown) => void) | undefined;
}

export interface CallSpec {
  operation: string;
  method: HttpMethod;
  /** The spec's path template, e.g. `/api/v1/node-pools/{nodepoolId}` (traces name calls by it). */
  route: string;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  accept?: string;
}

/**
 * Sends one logical Run:ai call of a typed operation through the caller's
 * transport: the caller's {@link CallContext} comes first, so credentials
 * and cancellation flow explicitly per request.
 */
export function call(ctx: CallContext, spec: CallSpec): Promise<UpstreamResponse> {
  ctx.onCall?.();
  const answer = ctx.http.request({
    ...spec,
    token: ctx.token,
    scope: ctx.scope,
    signal: ctx.signal,
    deadline: ctx.deadline,
    mayRetry: ctx.onRetry,
  });
  const { onError } = ctx;
  return onError
    ? answer.catch((error: unknown) => {
        onError(error);
        throw error;
      })
    : answer;
}

/** Where an operation's parser reports tolerated oddities of Run:ai's answer. */
export function warnOf(ctx: CallContext): WarnFn {
  return ctx.warn ?? ((obj, msg) => ctx.http.logger?.warn(obj, msg));
}

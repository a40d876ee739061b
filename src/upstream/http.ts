/**
 * The HTTP transport to Run:ai: one keep-alive undici pool, a total deadline
 * per call, bounded retries of idempotent requests, and the mapping of every
 * failure to an {@link UpstreamError}.
 */
import CircuitBreaker from 'opossum';
import { Pool } from 'undici';
import { type AbortSource, CallAbort } from './call-abort.js';
import { errorFromResponse, UpstreamError, type UpstreamErrorCode } from './errors.js';
import { type Exchanged, exchange } from './exchange.js';
import { InflightCalls } from './inflight.js';

/** HTTP methods the Run:ai node-pool API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Minimal pino-compatible logger. */
export interface UpstreamLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** One HTTP attempt, reported to {@link UpstreamHttpOptions.onCall} (for metrics). */
export interface UpstreamCallEvent {
  /** The Run:ai operationId. */
  operation: string;
  method: HttpMethod;
  /** The response status, or `'error'` when no response arrived (connection failure, timeout, abort). */
  status: number | 'error';
  durationMs: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** Classification of a failed attempt; absent on success and on a caller's abort. */
  errorCode?: UpstreamErrorCode;
}

/** Settings of an {@link UpstreamHttp}. */
export interface UpstreamHttpOptions {
  /** Base URL of the Run:ai control plane; a path prefix (e.g. behind a proxy) is kept. */
  baseUrl: string;
  /** Milliseconds to establish a TCP/TLS connection. */
  connectTimeoutMs: number;
  /** Milliseconds to wait for response headers (also used as the idle timeout between body chunks). */
  headersTimeoutMs: number;
  /** Milliseconds one call may take in total, retries and back-off included. */
  totalTimeoutMs: number;
  /** Retries of idempotent calls (GET, PUT, DELETE). Default 2. */
  maxRetries?: number;
  /** Keep-alive connections to the origin. Default 64. */
  connections?: number;
  logger?: UpstreamLogger;
  /** Called once per HTTP attempt. Must not throw. */
  onCall?: (event: UpstreamCallEvent) => void;
  /** First back-off delay in ms when Run:ai sends no Retry-After. Default 100. */
  retryBaseDelayMs?: number;
  /** Upper bound of one back-off delay in ms. Default 2000. */
  retryMaxDelayMs?: number;
  /** Share identical GETs made with the same token while they are in flight. Default true. */
  dedupGets?: boolean;
  /** Circuit breaker of this origin; omitted: the defaults below. */
  circuit?: CircuitOptions;
}

/** When the circuit breaker of an origin opens, and for how long. */
export interface CircuitOptions {
  /** Share of failed calls in the rolling window that opens the circuit. Default 50. */
  errorThresholdPercentage?: number;
  /** Calls in the window before the circuit may open. Default 10. */
  volumeThreshold?: number;
  /** How long the circuit stays open before a trial call. Default 10 000 ms. */
  resetTimeoutMs?: number;
  /** Length of the rolling window. Default 10 000 ms. */
  rollingWindowMs?: number;
  /** Called when the circuit changes state (for logs and metrics). */
  onStateChange?: (state: CircuitState) => void;
}

export type CircuitState = 'closed' | 'open' | 'halfOpen';

/** A query value; arrays are sent as ONE comma-joined value (OpenAPI `explode: false`). */
export type QueryValue = string | number | boolean | readonly string[] | null | undefined;

/** One logical call to Run:ai (possibly several HTTP attempts). */
export interface UpstreamRequest {
  /** The Run:ai operationId, for errors, logs and metrics. */
  operation: string;
  method: HttpMethod;
  /** Path below the base URL, already percent-encoded, e.g. `/api/v1/node-pools/5`. */
  path: string;
  query?: Readonly<Record<string, QueryValue>>;
  /** JSON-encoded as-is when not `undefined` (explicit `null` members stay `null`). */
  body?: unknown;
  /** Bearer token; without one no Authorization header is sent. */
  token?: string | undefined;
  /** Accept header. Default `application/json`. */
  accept?: string;
  /** The caller's signal: aborting it aborts the in-flight request and rejects with the signal's reason. */
  signal?: AbortSource | undefined;
  /** Absolute deadline (epoch ms) that may shorten the configured total timeout. */
  deadline?: number | undefined;
}

/** A successful (2xx) response. */
export interface UpstreamResponse<T = unknown> {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, text for `text/*` responses, `undefined` for an empty body. */
  body: T;
}

/** Statuses worth retrying for idempotent methods: throttling and transient unavailability. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
/** Methods that are safe to repeat. POST and PATCH are never retried: a lost response may hide a success. */
const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);
/** Connection-level failures where the request most likely never reached Run:ai's application. */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** undici's own per-phase timeouts: Run:ai accepted the request but did not answer in time. */
const TIMEOUT_ERROR_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Malformed HTTP from upstream. */
const BAD_RESPONSE_ERROR_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_HEADERS_OVERFLOW',
]);

/** Error bodies are echoed (truncated) into errors; never buffer more than this of one. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Reason given to the call's abort handle when the total deadline passes. */
class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/** The outcome of one attempt that produced an error, and whether it may be retried. */
interface FailedAttempt {
  error: UpstreamError;
  retryable: boolean;
  /** Delay requested by Retry-After, in ms. */
  retryAfterMs?: number | undefined;
}

/**
 * HTTP client for one Run:ai origin.
 *
 * Retries are a hand-written loop rather than undici's `interceptors.retry`:
 * the interceptor cannot cap a Retry-After wait at the call's deadline (it
 * would sleep past it), it hides the individual attempts from `onCall`
 * (metrics count attempts), and on giving up it throws its own
 * `RequestRetryError` without Run:ai's parsed error body.
 */
export class UpstreamHttp {
  readonly logger: UpstreamLogger | undefined;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly totalTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly onCall: ((event: UpstreamCallEvent) => void) | undefined;
  private closing: Promise<void> | undefined;
  private readonly inflight: InflightCalls<UpstreamResponse> | undefined;
  private readonly breaker: CircuitBreaker<[UpstreamRequest, string, CallAbort?], UpstreamResponse>;

  constructor(options: UpstreamHttpOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`Run:ai base URL must be http(s), got ${url.protocol}`);
    }
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.totalTimeoutMs = options.totalTimeoutMs;
    this.maxRetries = Math.max(0, options.maxRetries ?? 2);
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 2_000;
    this.logger = options.logger;
    this.onCall = options.onCall;
    this.inflight = options.dedupGets === false ? undefined : new InflightCalls();
    const circuit = options.circuit ?? {};
    this.breaker = new CircuitBreaker(
      (req: UpstreamRequest, path: string, shared?: CallAbort) => this.send(req, path, shared),
      {
        timeout: false, // deadlines are the transport's own
        // Only the state is used: no latency percentiles or snapshot events to keep per call.
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
        errorThresholdPercentage: circuit.errorThresholdPercentage ?? 50,
        volumeThreshold: circuit.volumeThreshold ?? 10,
        resetTimeout: circuit.resetTimeoutMs ?? 10_000,
        rollingCountTimeout: circuit.rollingWindowMs ?? 10_000,
        // Only signs of an unhealthy Run:ai count: 4xx answers and callers' aborts are healthy traffic.
        errorFilter: (error: unknown) => !countsAgainstCircuit(error),
      },
    );
    for (const state of ['open', 'halfOpen', 'close'] as const) {
      this.breaker.on(state as 'open', () => {
        const now = state === 'close' ? 'closed' : state;
        this.logger?.warn({ origin: url.origin, circuit: now }, `Run:ai circuit ${now}`);
        circuit.onStateChange?.(now);
      });
    }
    // Our own pool, used directly (never the global dispatcher), so its limits and timeouts apply
    // only to Run:ai and close() releases exactly these sockets.
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 64,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.headersTimeoutMs,
    });
  }

  /**
   * Performs one logical call: builds the URL, sends it (retrying idempotent
   * methods on 429/502/503/504 and connection failures within the deadline),
   * and returns the parsed 2xx response.
   *
   * @throws {UpstreamError} for non-2xx responses, connection failures, timeouts and invalid bodies.
   * @throws the caller's `signal.reason` when the caller aborts.
   */
  request<T = unknown>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    // A shared call runs under its first caller's deadline; later sharers wait at most for that.
    const path = this.buildPath(req.path, req.query);
    if (req.method !== 'GET' || !this.inflight) return this.guarded<T>(req, path);
    // The key holds the token, so concurrent callers share a call only with their own credentials.
    // It lives in memory only while the call is in flight, like the request headers; hashing it
    // would cost more than the lookup it serves.
    const key = `${req.token ?? ''}\n${req.accept ?? ''}\n${path}`;
    const shared = this.inflight.run(key, req.signal, (abort) => this.guarded(req, path, abort));
    return (shared as Promise<UpstreamResponse<T>>).catch((error: unknown) => {
      throw req.signal?.aborted && error === req.signal.reason
        ? abortReason(req.operation, req.signal)
        : error;
    });
  }

  /** State of this origin's circuit breaker. */
  get circuitState(): CircuitState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'halfOpen' : 'closed';
  }

  /** One logical call through the circuit breaker: while it is open, calls fail at once. */
  private async guarded<T>(
    req: UpstreamRequest,
    path: string,
    shared?: CallAbort,
  ): Promise<UpstreamResponse<T>> {
    if (this.closing) return this.send<T>(req, path); // reports the shut-down client; the breaker is gone
    try {
      return (await this.breaker.fire(req, path, shared)) as UpstreamResponse<T>;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
        throw new UpstreamError({
          code: 'UPSTREAM_UNAVAILABLE',
          operation: req.operation,
          message: `Run:ai is unavailable: too many recent calls failed, so calls are paused for a while (${req.operation})`,
        });
      }
      throw error;
    }
  }

  /**
   * One logical call, its retries included, to `path` (the request's path and
   * query, built once). `shared`, when given, is the abort handle of a call
   * shared by several callers: it aborts once all of them have left, so the
   * first caller's own signal is not followed.
   */
  private async send<T>(
    req: UpstreamRequest,
    path: string,
    shared?: CallAbort,
  ): Promise<UpstreamResponse<T>> {
    const callerSignal = shared ? undefined : req.signal;
    if (shared?.aborted) throw abortReason(req.operation, shared);
    if (callerSignal?.aborted) throw abortReason(req.operation, callerSignal);
    if (this.closing) {
      throw new UpstreamError({
        code: 'UPSTREAM_UNAVAILABLE',
        operation: req.operation,
        message: `Run:ai client is shut down (${req.operation})`,
      });
    }

    const deadlineAt = Math.min(Date.now() + this.totalTimeoutMs, req.deadline ?? Number.POSITIVE_INFINITY);
    // One handle per call aborts the in-flight attempt (or back-off) when the caller leaves or the deadline passes.
    const abort = shared ?? new CallAbort();
    const onCallerAbort = () => abort.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const callerLeft = () => abort.aborted && !(abort.reason instanceof DeadlineExceeded);
    const timer = setTimeout(() => abort.abort(new DeadlineExceeded()), Math.max(0, deadlineAt - Date.now()));

    const headers = this.buildHeaders(req);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const retriesAllowed = IDEMPOTENT_METHODS.has(req.method) ? this.maxRetries : 0;

    try {
      for (let attempt = 1; ; attempt++) {
        const startedAt = performance.now();
        let failure: FailedAttempt;
        try {
          const res = await exchange(
            this.pool,
            { path, method: req.method, headers, body },
            abort,
            MAX_ERROR_BODY_BYTES,
          );
          if (res.statusCode >= 200 && res.statusCode < 300) {
            const parsed = readSuccessBody(req.operation, res);
            this.report(req, attempt, startedAt, res.statusCode);
            return { status: res.statusCode, headers: res.headers, body: parsed as T };
          }
          const errorBody = readErrorBody(res);
          failure = {
            error: errorFromResponse(req.operation, res.statusCode, errorBody),
            retryable: RETRYABLE_STATUSES.has(res.statusCode),
            retryAfterMs: parseRetryAfter(res.headers['retry-after']),
          };
          this.report(req, attempt, startedAt, res.statusCode, failure.error.code);
        } catch (err) {
          if (callerLeft()) {
            this.report(req, attempt, startedAt, 'error');
            throw abortReason(req.operation, abort);
          }
          if (abort.reason instanceof DeadlineExceeded) {
            const error = timeoutError(req.operation, err);
            this.report(req, attempt, startedAt, 'error', error.code);
            throw error;
          }
          if (err instanceof UpstreamError) {
            // A 2xx whose body we could not read: the request succeeded upstream, so never repeat it.
            this.report(req, attempt, startedAt, err.status ?? 'error', err.code);
            throw err;
          }
          failure = classifyNetworkError(req.operation, err);
          this.report(req, attempt, startedAt, 'error', failure.error.code);
        }

        if (!failure.retryable || attempt > retriesAllowed) throw failure.error;
        const waitMs = failure.retryAfterMs ?? this.backoff(attempt);
        if (Date.now() + waitMs >= deadlineAt) {
          // Waiting would overrun the deadline: Run:ai's own answer is more useful than a timeout.
          this.logger?.debug(
            { operation: req.operation, attempt, waitMs, code: failure.error.code },
            'not retrying Run:ai call: wait exceeds deadline',
          );
          throw failure.error;
        }
        this.logger?.warn(
          {
            operation: req.operation,
            method: req.method,
            attempt,
            waitMs,
            status: failure.error.status,
            code: failure.error.code,
          },
          'retrying Run:ai call',
        );
        try {
          await abort.sleep(waitMs);
        } catch {
          if (callerLeft()) throw abortReason(req.operation, abort);
          throw timeoutError(req.operation, undefined);
        }
      }
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** Closes the connection pool, letting in-flight requests finish. Safe to call more than once. */
  close(): Promise<void> {
    // The breaker's rolling window runs on a timer: shut it down so the process can exit.
    this.breaker.shutdown();
    this.closing ??= this.pool.close();
    return this.closing;
  }

  private buildPath(path: string, query: UpstreamRequest['query']): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) {
        // explode=false: Run:ai expects `filterBy=a,b` (one value), not `filterBy=a&filterBy=b`.
        if (value.length > 0) params.append(key, value.join(','));
      } else {
        params.append(key, String(value));
      }
    }
    const qs = params.toString();
    return `${this.basePath}${path}${qs ? `?${qs}` : ''}`;
  }

  private buildHeaders(req: UpstreamRequest): Record<string, string> {
    const headers: Record<string, string> = {
      accept: req.accept ?? 'application/json',
      'user-agent': 'nodepool-gateway',
    };
    if (req.token !== undefined) headers['authorization'] = `Bearer ${req.token}`;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    return headers;
  }

  /** Exponential back-off with "equal jitter": half fixed, half random, so retries of many callers spread out. */
  private backoff(attempt: number): number {
    const exp = Math.min(this.retryMaxDelayMs, this.retryBaseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + Math.random() * (exp / 2));
  }

  private report(
    req: UpstreamRequest,
    attempt: number,
    startedAt: number,
    status: number | 'error',
    errorCode?: UpstreamErrorCode,
  ): void {
    const durationMs = performance.now() - startedAt;
    this.logger?.debug(
      {
        operation: req.operation,
        method: req.method,
        path: req.path,
        status,
        attempt,
        durationMs,
        errorCode,
      },
      'Run:ai call',
    );
    if (!this.onCall) return;
    const event: UpstreamCallEvent = {
      operation: req.operation,
      method: req.method,
      status,
      durationMs,
      attempt,
    };
    if (errorCode !== undefined) event.errorCode = errorCode;
    try {
      this.onCall(event);
    } catch (err) {
      // A broken metrics hook must not fail the call.
      this.logger?.warn({ err }, 'onCall hook threw');
    }
  }
}

/**
 * Reads a 2xx body: JSON (or no content type) is parsed, `text/*` is returned
 * as text, an empty body is `undefined`.
 */
function readSuccessBody(operation: string, res: Exchanged): unknown {
  if (res.bodyError !== undefined) {
    const code = errorCodeOf(res.bodyError);
    if (code !== undefined && BAD_RESPONSE_ERROR_CODES.has(code)) {
      throw new UpstreamError({
        code: 'UPSTREAM_BAD_RESPONSE',
        operation,
        status: res.statusCode,
        cause: res.bodyError,
      });
    }
    throw res.bodyError;
  }
  if (res.statusCode === 204) return undefined;
  const text = res.body.toString('utf8');
  if (text.length === 0) return undefined;
  const contentType = headerValue(res.headers['content-type'])?.toLowerCase() ?? '';
  if (contentType.startsWith('text/') && !contentType.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UpstreamError({
      code: 'UPSTREAM_BAD_RESPONSE',
      operation,
      status: res.statusCode,
      message: `Run:ai returned a body that is not valid JSON (${operation}, HTTP ${res.statusCode})`,
      cause: err,
    });
  }
}

/**
 * Reads an error body (the exchange kept its first 64 KB). Returns the parsed
 * JSON, or `undefined` when the body is empty or not JSON (e.g. an HTML page
 * from a proxy).
 */
function readErrorBody(res: Exchanged): unknown {
  // The error status is what matters; a body cut short only loses the message.
  if (res.bodyError !== undefined) return undefined;
  const text = res.body.toString('utf8').slice(0, MAX_ERROR_BODY_BYTES);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Failures that say Run:ai (or the way to it) is unhealthy: 5xx, 429, timeouts, connection failures. */
function countsAgainstCircuit(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  return (
    error.code === 'UPSTREAM_UNAVAILABLE' ||
    error.code === 'UPSTREAM_TIMEOUT' ||
    error.code === 'UPSTREAM_ERROR' ||
    error.code === 'RATE_LIMITED'
  );
}

/** Parses Retry-After (delta seconds or HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = headerValue(value)?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  // An HTTP date always names a weekday/month; without letters Date.parse would take "-1" as a year.
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * What to throw when the caller's signal aborted the call: its reason, except
 * that a deadline (`AbortSignal.timeout`, e.g. the GraphQL request's own)
 * becomes UPSTREAM_TIMEOUT.
 */
function abortReason(operation: string, signal: { readonly reason: unknown }): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return timeoutError(operation, reason);
  return reason;
}

function timeoutError(operation: string, cause: unknown): UpstreamError {
  return new UpstreamError({ code: 'UPSTREAM_TIMEOUT', operation, cause });
}

/** Maps an error thrown by undici (no response received) to an UpstreamError. */
function classifyNetworkError(operation: string, err: unknown): FailedAttempt {
  const code = errorCodeOf(err);
  if (code !== undefined && TIMEOUT_ERROR_CODES.has(code)) {
    // Run:ai may still be working on it: do not pile another request on top.
    return {
      error: new UpstreamError({ code: 'UPSTREAM_TIMEOUT', operation, cause: err }),
      retryable: false,
    };
  }
  if (code !== undefined && (BAD_RESPONSE_ERROR_CODES.has(code) || code.startsWith('HPE_'))) {
    return {
      error: new UpstreamError({ code: 'UPSTREAM_BAD_RESPONSE', operation, cause: err }),
      retryable: false,
    };
  }
  const retryable = code !== undefined && CONNECTION_ERROR_CODES.has(code);
  return {
    // Only the error code goes into the message: the raw error may name internal addresses.
    error: new UpstreamError({
      code: 'UPSTREAM_UNAVAILABLE',
      operation,
      message: `Run:ai is unavailable (${operation}${code ? `: ${code}` : ''})`,
      cause: err,
    }),
    retryable,
  };
}

/** Finds a Node/undici error code, also inside `cause` and AggregateError (happy-eyeballs connects). */
function errorCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') return code;
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

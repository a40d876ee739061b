/**
 * The shapes every layer of the Run:ai client shares: a logical call, its
 * answer, and the `Send` function each layer wraps (in the style of undici's
 * interceptors: a layer takes the next `Send` and returns one).
 */

/** HTTP methods the Run:ai node-pool API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A query value; arrays are sent as ONE comma-joined value (OpenAPI `explode: false`). */
export type QueryValue = string | number | boolean | readonly string[] | null | undefined;

/** One logical call to Run:ai, as the typed API makes it (possibly several HTTP attempts). */
export interface UpstreamRequest {
  /** The Run:ai operationId, for errors, logs and metrics. */
  operation: string;
  method: HttpMethod;
  /** Path below the base URL, already percent-encoded, e.g. `/api/v1/node-pools/5`. */
  path: string;
  /**
   * The spec's path template, e.g. `/api/v1/node-pools/{nodepoolId}`: names the call in traces without
   * the ids of the concrete path. Default: the path.
   */
  route?: string | undefined;
  query?: Readonly<Record<string, QueryValue>> | undefined;
  /** JSON-encoded as-is when not `undefined` (explicit `null` members stay `null`). */
  body?: unknown;
  /** Bearer token; without one no Authorization header is sent. */
  token?: string | undefined;
  /** The token's scope, if already known (credential-scope.ts); computed from the token otherwise. */
  scope?: string | undefined;
  /** Accept header. Default `application/json`. */
  accept?: string | undefined;
  /** The caller's signal: aborting it aborts the call and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Absolute deadline (epoch ms) that may shorten the configured total timeout. */
  deadline?: number | undefined;
  /** Asked before each retry: false gives up with Run:ai's answer (the caller's call budget is spent). */
  mayRetry?: (() => boolean) | undefined;
}

/** A successful (2xx) answer. */
export interface UpstreamResponse<T = unknown> {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, text for `text/*` answers, `undefined` for an empty body. */
  body: T;
}

/** A call on its way through the layers. */
export interface Call {
  req: UpstreamRequest;
  /** Path and query below the origin, built once. */
  path: string;
  /** Names the caller's credentials without revealing them: the key of per-credential state. */
  scope: string;
  /** Aborts the call: the caller's signal, then also the deadline (set by the deadline layer). */
  signal: AbortSignal | undefined;
  /** When the call must be over (epoch ms), once the deadline layer has set it. */
  deadlineAt?: number | undefined;
  /** Headers a layer above adds to every attempt (the trace layer's `traceparent`). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Filled in by the layers below for a layer above that reports them (the trace layer). */
  stats?: CallStats | undefined;
}

/** How a call went, as the layers below see it. */
export interface CallStats {
  /** HTTP attempts made: 1 plus retries; for a caller that joined a shared call, that call's. */
  attempts: number;
  /** Whether one request answered several callers (in-flight sharing of identical GETs). */
  shared: boolean;
}

/** One layer's view of everything below it. */
export type Send = (call: Call) => Promise<UpstreamResponse>;

/** One HTTP attempt, reported for metrics and readiness. */
export interface UpstreamCallEvent {
  /** The Run:ai operationId. */
  operation: string;
  /** The credential's scope (a hash of its token; `anonymous` without one). */
  scope: string;
  method: HttpMethod;
  /** The answer's status, or `'error'` when none came (connection failure, timeout, abort). */
  status: number | 'error';
  durationMs: number;
  /** Classification of a failed attempt; absent on success and on a caller's abort. */
  errorCode?: string;
}

/** Minimal pino-compatible logger. */
export interface UpstreamLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/**
 * Errors of the Run:ai REST client. Every failure of an upstream call ends up
 * as one {@link UpstreamError} with a stable code, so the GraphQL layer
 * (src/graphql/errors.ts) maps errors without knowing anything about HTTP
 * or undici.
 */

/** Stable classification of an upstream failure, safe to expose to API clients. */
export type UpstreamErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_BAD_RESPONSE';

/** Generic wording per code, used when Run:ai gives no message of its own. */
const DEFAULT_MESSAGE: Readonly<Record<UpstreamErrorCode, string>> = {
  BAD_USER_INPUT: 'Run:ai rejected the request as invalid',
  UNAUTHENTICATED: 'Run:ai did not accept the credentials',
  FORBIDDEN: 'Run:ai denied permission for this operation',
  NOT_FOUND: 'Run:ai did not find the requested resource',
  CONFLICT: 'Run:ai reported a conflict with an existing resource',
  RATE_LIMITED: 'Run:ai is rate limiting requests',
  UPSTREAM_UNAVAILABLE: 'Run:ai is unavailable',
  UPSTREAM_TIMEOUT: 'Run:ai did not answer in time',
  UPSTREAM_ERROR: 'Run:ai failed to process the request',
  UPSTREAM_BAD_RESPONSE: 'Run:ai returned an invalid response',
};

/** Upstream messages are echoed to clients; cap them so a huge HTML error page cannot flood a response. */
const MAX_UPSTREAM_TEXT = 500;

/** Everything needed to build an {@link UpstreamError}. */
export interface UpstreamErrorInit {
  code: UpstreamErrorCode;
  /** The Run:ai operationId of the failed call, e.g. `get_nodepools`. */
  operation: string;
  /** Upstream HTTP status; absent for connection failures and timeouts. */
  status?: number | undefined;
  upstreamCode?: number | undefined;
  upstreamMessage?: string | undefined;
  details?: string | undefined;
  /** Overrides the generated message (which is built from the code, operation and upstream message). */
  message?: string | undefined;
  /** The underlying error (network error, zod error); kept for logs, never exposed to clients. */
  cause?: unknown;
  /** Whether an idempotent call may be sent again (throttling, transient unavailability). */
  retryable?: boolean | undefined;
  /** The wait Run:ai asked for (Retry-After), in ms. */
  retryAfterMs?: number | undefined;
}

/**
 * A failed Run:ai call. `message` is safe to show to API clients: it never
 * contains the token, the upstream address or a stack trace.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly code: UpstreamErrorCode;
  /** Upstream HTTP status; `undefined` for connection failures and timeouts. */
  readonly status: number | undefined;
  /** `code` of Run:ai's `{code, message, details}` error body, when present. */
  readonly upstreamCode: number | undefined;
  /** `message` of Run:ai's error body, when present. */
  readonly upstreamMessage: string | undefined;
  /** `details` of Run:ai's error body, when present. */
  readonly details: string | undefined;
  /** The Run:ai operationId of the failed call. */
  readonly operation: string;
  /** The message without Run:ai's own words: what a client sees of a failure inside Run:ai. */
  readonly summary: string;
  /** Whether an idempotent call may be sent again. */
  readonly retryable: boolean;
  /** The wait Run:ai asked for (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(init: UpstreamErrorInit) {
    const upstreamMessage = truncate(init.upstreamMessage);
    super(init.message ?? defaultMessage(init.code, init.operation, init.status, upstreamMessage), {
      cause: init.cause,
    });
    this.summary = defaultMessage(init.code, init.operation, init.status, undefined);
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
    this.code = init.code;
    this.status = init.status;
    this.upstreamCode = init.upstreamCode;
    this.upstreamMessage = upstreamMessage;
    this.details = truncate(init.details);
    this.operation = init.operation;
  }
}

function defaultMessage(
  code: UpstreamErrorCode,
  operation: string,
  status: number | undefined,
  upstreamMessage: string | undefined,
): string {
  const where = status === undefined ? `(${operation})` : `(${operation}, HTTP ${status})`;
  return upstreamMessage
    ? `${DEFAULT_MESSAGE[code]} ${where}: ${upstreamMessage}`
    : `${DEFAULT_MESSAGE[code]} ${where}`;
}

function truncate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > MAX_UPSTREAM_TEXT ? `${text.slice(0, MAX_UPSTREAM_TEXT)}…` : text;
}

/** Type guard for {@link UpstreamError} (also across duplicated module instances, by name and shape). */
export function isUpstreamError(e: unknown): e is UpstreamError {
  return (
    e instanceof UpstreamError ||
    (e instanceof Error && e.name === 'UpstreamError' && typeof (e as { code?: unknown }).code === 'string')
  );
}

/**
 * Classifies an upstream HTTP error status. 422 counts as bad input like
 * 400; 502/503/504 from Run:ai (or a proxy in front of it) mean it is
 * unavailable, any other 5xx is a failure inside Run:ai.
 */
export function errorCodeForStatus(status: number): UpstreamErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'BAD_USER_INPUT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'UPSTREAM_UNAVAILABLE';
    case 408:
      return 'UPSTREAM_TIMEOUT';
    default:
      // Other 4xx (405, 415, …) mean the gateway spoke wrongly to Run:ai: not the client's fault.
      return 'UPSTREAM_ERROR';
  }
}

/**
 * Builds the error for a non-2xx response from its (already parsed) body,
 * reading Run:ai's `{code, message, details}` shape when it is there.
 */
export function errorFromResponse(
  operation: string,
  status: number,
  body: unknown,
  retryAfterMs?: number,
): UpstreamError {
  const parsed = readErrorBody(body);
  return new UpstreamError({
    code: errorCodeForStatus(status),
    operation,
    status,
    ...parsed,
    retryable: RETRYABLE_STATUSES.has(status),
    retryAfterMs,
  });
}

/** Statuses worth another try for idempotent methods: throttling and transient unavailability. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Whether a failure says Run:ai itself is unwell: 5xx, timeouts, no answer.
 * Only these count against its circuit; a 4xx (429 included) answers for the
 * caller's own request.
 */
export function isUpstreamHealthFailure(error: unknown): boolean {
  return (
    isUpstreamError(error) &&
    (error.code === 'UPSTREAM_UNAVAILABLE' ||
      error.code === 'UPSTREAM_TIMEOUT' ||
      error.code === 'UPSTREAM_ERROR') &&
    (error.status === undefined || error.status >= 500)
  );
}

/** Parses Retry-After (delta seconds or HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  // An HTTP date always names a weekday/month; without letters Date.parse would take "-1" as a year.
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function readErrorBody(
  body: unknown,
): Pick<UpstreamErrorInit, 'upstreamCode' | 'upstreamMessage' | 'details'> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const { code, message, details } = body as Record<string, unknown>;
  const numericCode = typeof code === 'number' ? code : typeof code === 'string' ? Number(code) : Number.NaN;
  return {
    upstreamCode: Number.isFinite(numericCode) ? numericCode : undefined,
    upstreamMessage: typeof message === 'string' ? message : undefined,
    details:
      typeof details === 'string'
        ? details
        : details === undefined || details === null
          ? undefined
          : JSON.stringify(details),
  };
}

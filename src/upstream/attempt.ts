import type { Dispatcher } from 'undici';
import type { Send, UpstreamCallEvent, UpstreamResponse } from './call.js';
import { errorFromResponse, parseRetryAfter, UpstreamError } from './errors.js';

/** Run:ai's error text is echoed (truncated) into errors and logs; longer bodies are not kept. */
const MAX_ERROR_TEXT = 64 * 1024;

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
/** Malformed or oversized answers (`maxResponseSize` of the pool caps every body). */
const BAD_RESPONSE_ERROR_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'UND_ERR_HEADERS_OVERFLOW',
]);

export interface AttemptOptions {
  /** Told of every attempt; must not throw. */
  onAttempt?: ((event: UpstreamCallEvent) => void) | undefined;
}

/**
 * The innermost layer: one HTTP exchange through undici's `request` and its
 * body mixins. A 2xx body is parsed (JSON, or text for `text/*`); any other
 * status, a connection failure or an unreadable body becomes an
 * {@link UpstreamError}, marked retryable where sending again is safe.
 * The caller's abort is rethrown as it came.
 */
export function attempt(dispatcher: Dispatcher, { onAttempt }: AttemptOptions = {}): Send {
  return async (call) => {
    const { req } = call;
    if (call.stats) call.stats.attempts++;
    const startedAt = performance.now();
    const report = (status: number | 'error', errorCode?: string) =>
      onAttempt?.({
        operation: req.operation,
        scope: call.scope,
        method: req.method,
        status,
        durationMs: performance.now() - startedAt,
        ...(errorCode ? { errorCode } : {}),
      });
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        path: call.path,
        method: req.method,
        headers: headersOf(req.token, req.accept, req.body !== undefined, call.headers),
        body: req.body === undefined ? null : JSON.stringify(req.body),
        signal: call.signal ?? null,
      });
    } catch (error) {
      if (call.signal?.aborted) {
        report('error');
        throw call.signal.reason;
      }
      const failure = networkFailure(req.operation, error);
      report('error', failure.code);
      throw failure;
    }
    try {
      const parsed = await readAnswer(req.operation, res);
      report(res.statusCode);
      return parsed;
    } catch (error) {
      if (call.signal?.aborted) {
        report('error');
        throw call.signal.reason;
      }
      const failure =
        error instanceof UpstreamError
          ? error
          : brokenBody(req.operation, error, res.statusCode, res.headers['retry-after']);
      report(res.statusCode, failure.code);
      throw failure;
    }
  };
}

function headersOf(
  token: string | undefined,
  accept: string | undefined,
  hasBody: boolean,
  extra: Readonly<Record<string, string>> | undefined,
) {
  // The extra headers first: none of them may replace the gateway's own.
  const headers: Record<string, string> = {
    ...extra,
    accept: accept ?? 'application/json',
    'user-agent': 'nodepool-gateway',
  };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (hasBody) headers['content-type'] = 'application/json';
  return headers;
}

/** Reads an answer whole: a 2xx into its parsed body, anything else into the error it stands for. */
async function readAnswer(operation: string, res: Dispatcher.ResponseData): Promise<UpstreamResponse> {
  const { statusCode: status, headers } = res;
  const text = await res.body.text();
  if (status < 200 || status >= 300) {
    throw errorFromResponse(
      operation,
      status,
      parseLoosely(text.slice(0, MAX_ERROR_TEXT)),
      parseRetryAfter(headers['retry-after']),
    );
  }
  if (status === 204 || text.length === 0) return { status, headers, body: undefined };
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('text/') && !contentType.includes('json'))
    return { status, headers, body: text };
  try {
    return { status, headers, body: JSON.parse(text) as unknown };
  } catch (cause) {
    throw new UpstreamError({
      code: 'UPSTREAM_BAD_RESPONSE',
      operation,
      status,
      message: `Run:ai returned a body that is not valid JSON (${operation}, HTTP ${status})`,
      cause,
    });
  }
}

/** An error body's JSON, or undefined when it is empty or not JSON (e.g. a proxy's HTML page). */
function parseLoosely(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A body that broke off after the headers: an error status still says what
 * the failure means (only its message is lost); a 2xx is a failure on the way.
 */
function brokenBody(
  operation: string,
  error: unknown,
  status: number,
  retryAfter: string | string[] | undefined,
): UpstreamError {
  if (status >= 200 && status < 300) return networkFailure(operation, error);
  return errorFromResponse(operation, status, undefined, parseRetryAfter(retryAfter));
}

/** Maps an error thrown by undici (no whole answer) to an UpstreamError. */
function networkFailure(operation: string, error: unknown): UpstreamError {
  const code = errorCodeOf(error);
  if (code !== undefined && TIMEOUT_ERROR_CODES.has(code)) {
    // Run:ai may still be working on it: do not pile another request on top.
    return new UpstreamError({ code: 'UPSTREAM_TIMEOUT', operation, cause: error });
  }
  if (code !== undefined && (BAD_RESPONSE_ERROR_CODES.has(code) || code.startsWith('HPE_'))) {
    return new UpstreamError({ code: 'UPSTREAM_BAD_RESPONSE', operation, cause: error });
  }
  return new UpstreamError({
    code: 'UPSTREAM_UNAVAILABLE',
    operation,
    // Only the error code goes into the message: the raw error may name internal addresses.
    message: `Run:ai is unavailable (${operation}${code ? `: ${code}` : ''})`,
    cause: error,
    retryable: code !== undefined && CONNECTION_ERROR_CODES.has(code),
  });
}

/** Finds a Node/undici error code, also inside `cause` and AggregateError (happy-eyeballs connects). */
function errorCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') return code;
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

import { type ASTNode, GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { InputValidationError } from '../resolvers/errors.js';
import { isUpstreamError, type UpstreamError } from '../upstream/errors.js';

/**
 * The gateway's one error contract (README "Errors"). Every error a client
 * sees, over HTTP, SSE or WebSocket, carries `extensions.code` from this
 * table and `extensions.http.status`, the status that code stands for. The
 * status of an HTTP response follows GraphQL over HTTP: 200 whenever the
 * operation ran (the response has `data`, even `null`); the errors' own
 * status when it did not (a request error: no `data`).
 */
export const ERROR_STATUS = {
  /** The HTTP request is not a GraphQL request: bad JSON, no query, bad `variables` or `extensions`. */
  BAD_REQUEST: 400,
  /** The document does not parse. */
  GRAPHQL_PARSE_FAILED: 400,
  /** The document is not valid against the schema. */
  GRAPHQL_VALIDATION_FAILED: 400,
  /** The document exceeds a query limit: depth, cost, samples, Run:ai calls, aliases, tokens or directives. */
  QUERY_LIMIT_EXCEEDED: 400,
  /** The document holds several operations and none is named. */
  OPERATION_RESOLUTION_FAILURE: 400,
  /** A persisted document id the gateway does not know (APQ: send the query with its hash). */
  PERSISTED_QUERY_NOT_FOUND: 404,
  /** With PERSISTED_ONLY, a document sent in full instead of a persisted document id. */
  PERSISTED_QUERY_ONLY: 400,
  /** An APQ registration whose hash is not the SHA-256 of its query. */
  PERSISTED_QUERY_HASH_MISMATCH: 400,
  /** A variable or argument breaks its type or a rule; or Run:ai refused the input (400/422). */
  BAD_USER_INPUT: 400,
  /** No credentials, credentials that are not a bearer token, or Run:ai did not accept them (401). */
  UNAUTHENTICATED: 401,
  /** Run:ai denied permission (403), a cross-site request lacks a CSRF header, or a Host not served. */
  FORBIDDEN: 403,
  /** Run:ai does not know the resource (404). */
  NOT_FOUND: 404,
  /** GraphQL takes GET and POST only, and mutations only by POST. */
  METHOD_NOT_ALLOWED: 405,
  /** The change clashes with an existing pool (Run:ai 409). */
  CONFLICT: 409,
  /** No media type the client accepts can carry the result (e.g. `@defer` without an incremental one). */
  NOT_ACCEPTABLE: 406,
  /** The request did not arrive in time (Node's request timeout). */
  REQUEST_TIMEOUT: 408,
  /** The request body is larger than MAX_BODY_BYTES. */
  PAYLOAD_TOO_LARGE: 413,
  /** A POST in a media type that carries no GraphQL request. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The request's headers are larger than the HTTP server reads. */
  REQUEST_HEADERS_TOO_LARGE: 431,
  /** Run:ai asked to slow down (429). */
  RATE_LIMITED: 429,
  /** One WebSocket connection, or one caller across its connections, holds the most subscriptions allowed. */
  TOO_MANY_SUBSCRIPTIONS: 429,
  /** One caller's subscriptions hold the most metrics pollers (pools and windows) allowed. */
  TOO_MANY_POLLERS: 429,
  /** Run:ai could compute only some metric types (207): the others are listed. The data is there. */
  PARTIAL_RESULT: 200,
  /** The client went away before its answer was ready (nginx's 499); only the logs see this one. */
  REQUEST_ABORTED: 499,
  /** An unexpected failure inside the gateway; the message is masked. */
  INTERNAL_SERVER_ERROR: 500,
  /** Run:ai failed (5xx other than 502/503/504), or the gateway spoke to it wrongly (other 4xx). */
  UPSTREAM_ERROR: 502,
  /** Run:ai answered something unreadable, or a value no GraphQL type can hold. */
  UPSTREAM_BAD_RESPONSE: 502,
  /** Run:ai cannot be reached, answers 502/503/504, or its circuit breaker is open. */
  UPSTREAM_UNAVAILABLE: 503,
  /** Run:ai did not answer in time. */
  UPSTREAM_TIMEOUT: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Codes that say the caller asked for something wrong: logged at info, not as failures of the gateway. */
const CLIENT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_ONLY',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'NOT_ACCEPTABLE',
  'REQUEST_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'REQUEST_HEADERS_TOO_LARGE',
  'RATE_LIMITED',
  'TOO_MANY_SUBSCRIPTIONS',
  'TOO_MANY_POLLERS',
  'PARTIAL_RESULT',
  'REQUEST_ABORTED',
]);

/** The code of a request error that came with a status only (yoga's own request checks, CSRF). */
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** Whether a code is one of the contract's. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

/** The HTTP status a code stands for; 500 for a code outside the table. */
export function statusOfCode(code: string): number {
  return (ERROR_STATUS as Record<string, number>)[code] ?? 500;
}

/** Whether a code means the caller asked for something wrong (rather than the gateway or Run:ai failing). */
export function isClientError(code: string): boolean {
  return CLIENT_CODES.has(code);
}

function statusExtension(error: GraphQLError): number | undefined {
  const http = error.extensions?.['http'] as { status?: unknown } | undefined;
  return typeof http?.status === 'number' ? http.status : undefined;
}

/** Duck-typed: a second copy of graphql (CJS next to ESM) must not lose the classification. */
function isGraphQLErrorLike(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError' && 'originalError' in error;
}

/** The code of any error the gateway may report: its own, its cause's, or one inferred from its status. */
export function codeOf(error: unknown): string {
  if (isUpstreamError(error)) return error.code;
  if (error instanceof Error && error.name === 'AbortError') return 'REQUEST_ABORTED';
  if (error instanceof InputValidationError) return 'BAD_USER_INPUT';
  if (!isGraphQLErrorLike(error)) return 'INTERNAL_SERVER_ERROR';
  const code = error.extensions?.['code'];
  const status = statusExtension(error);
  if (typeof code === 'string') {
    // Yoga codes its own refusals BAD_REQUEST whatever their status (405 for a method): the status says more.
    const byStatus = status === undefined ? undefined : CODE_BY_STATUS[status];
    return code === 'BAD_REQUEST' && byStatus !== undefined ? byStatus : code;
  }
  if (error.originalError && error.originalError !== error) return codeOf(error.originalError);
  if (status !== undefined)
    return CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
  // Neither code, status nor cause: graphql-js's own error, from validation or (with a path) execution.
  return error.path ? 'INTERNAL_SERVER_ERROR' : 'GRAPHQL_VALIDATION_FAILED';
}

/** Options of a {@link gatewayError}: where it happened, and what more it tells. */
export interface GatewayErrorOptions {
  nodes?: readonly ASTNode[] | undefined;
  path?: readonly (string | number)[] | undefined;
  /** Extensions besides `code` and `http`. */
  extensions?: Record<string, unknown> | undefined;
  /** HTTP headers the response carries (Retry-After); over WebSocket, only the extensions tell. */
  headers?: Record<string, string> | undefined;
}

/**
 * An error of the contract, born complete: its `extensions.code`, and in
 * `extensions.http` the status that code stands for (and any headers).
 * Every refusal the gateway writes itself is made here.
 */
export function gatewayError(
  code: ErrorCode,
  message: string,
  options: GatewayErrorOptions = {},
): GraphQLError {
  const { nodes, path, extensions, headers } = options;
  return new GraphQLError(message, {
    nodes: nodes ?? null,
    path: path ?? null,
    extensions: {
      ...extensions,
      code,
      http: headers ? { status: ERROR_STATUS[code], headers } : { status: ERROR_STATUS[code] },
    },
  });
}

type ErrorJson = ReturnType<GraphQLError['toJSON']>;

/** An error of the contract as JSON: its message, locations, path, and extensions with `http` holding its status alone. */
export function errorJson(error: GraphQLError, status = statusOf(error)): ErrorJson {
  const json = typeof error.toJSON === 'function' ? error.toJSON() : (error as unknown as ErrorJson);
  return { ...json, extensions: { ...json.extensions, http: { status } } };
}

/** The HTTP headers an error asks its response to carry (`extensions.http.headers`: Retry-After). */
export function headersOf(error: GraphQLError): Record<string, string> | undefined {
  return (error.extensions?.['http'] as { headers?: Record<string, string> } | undefined)?.headers;
}

/** The same error (message, locations, path, cause) with other extensions. */
export function withExtensions(error: GraphQLError, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: error.originalError ?? null,
    extensions,
  });
}

/** The error as clients see it: the same error when it already has its code and status, else a copy that has them. */
export function withCode(error: GraphQLError): GraphQLError {
  const code = codeOf(error);
  const status = statusExtension(error) ?? statusOfCode(code);
  if (error.extensions?.['code'] === code && statusExtension(error) === status) return error;
  return withExtensions(error, { ...error.extensions, code, http: { status } });
}

/** The HTTP status an error stands for: its own `extensions.http.status`, else its code's. */
export function statusOf(error: GraphQLError): number {
  return statusExtension(error) ?? statusOfCode(codeOf(error));
}

/**
 * Whether Run:ai's own words may reach the caller. Its 4xx messages describe
 * the caller's own input; a 5xx text may name internal hosts, paths or
 * secrets, so it goes only to the log (the operation log line, by request id).
 */
function speaksToCaller(error: UpstreamError): boolean {
  return error.status === undefined || error.status < 500;
}

/** The extensions of an error Run:ai caused: what may be told of it, never the cause or the stack. */
function upstreamExtensions(error: UpstreamError): Record<string, unknown> {
  return {
    code: error.code,
    http: { status: statusOfCode(error.code) },
    upstream: {
      operation: error.operation,
      status: error.status ?? null,
      code: error.upstreamCode ?? null,
      message: speaksToCaller(error) ? (error.upstreamMessage ?? null) : null,
    },
  };
}

/**
 * Yoga's error mask, taught the gateway's errors: a Run:ai failure or an
 * input refusal thrown by a resolver becomes a coded GraphQL error at the
 * path of the field that failed. Anything unexpected stays masked as
 * INTERNAL_SERVER_ERROR.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const located = isGraphQLErrorLike(error) ? error : undefined;
  const original = located ? located.originalError : error;
  const at = (text: string, extensions: Record<string, unknown>) =>
    new GraphQLError(text, {
      nodes: located?.nodes ?? null,
      source: located?.source ?? null,
      positions: located?.positions ?? null,
      path: located?.path ?? null,
      extensions,
    });
  if (isUpstreamError(original)) {
    return at(speaksToCaller(original) ? original.message : original.summary, upstreamExtensions(original));
  }
  if (original instanceof InputValidationError) {
    return at(original.message, {
      code: 'BAD_USER_INPUT',
      http: { status: 400 },
      fields: original.fields,
    });
  }
  return yogaMaskError(error, message, isDev);
}

/** How loudly to log an error: the caller's mistakes at info, Run:ai's failures at warn, the gateway's at error. */
export function logLevelOf(code: string): 'info' | 'warn' | 'error' {
  if (isClientError(code)) return 'info';
  return code.startsWith('UPSTREAM_') ? 'warn' : 'error';
}

/**
 * Errors as every transport shows them: masked unless the gateway may tell
 * them, coded, with their status, and with the request id on those that are
 * not the caller's own mistake (next to the operation log line that has the
 * details). Idempotent: an error already in the contract stays as it is.
 */
export function toContract(errors: readonly unknown[], requestId?: string | undefined): GraphQLError[] {
  return errors.map((error) => {
    const masked = maskError(error, 'Unexpected error.');
    const coded = withCode(masked instanceof GraphQLError ? masked : new GraphQLError(masked.message));
    const code = coded.extensions['code'] as string;
    if (!requestId || isClientError(code) || coded.extensions['requestId'] === requestId) return coded;
    return withExtensions(coded, { ...coded.extensions, requestId });
  });
}

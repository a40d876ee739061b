import { type ASTNode, GraphQLError } from 'graphql';

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
  /** The request body is larger than maxBodyBytes. */
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

/** One broken input rule: where (argument path) and what. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * Invalid input, found before any call to Run:ai. Carries every broken rule
 * at once. Mutations report it as a `ValidationError` payload; elsewhere it
 * becomes a BAD_USER_INPUT GraphQL error.
 */
export class InputValidationError extends Error {
  constructor(readonly fields: FieldProblem[]) {
    super(`Invalid input: ${fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ')}`);
    this.name = 'InputValidationError';
  }
}

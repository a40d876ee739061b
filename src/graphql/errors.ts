import { type ExecutionResult, GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { type ErrorCode, InputValidationError, isClientError, statusOfCode } from '../domain/errors.js';
import { isUpstreamError, type UpstreamError } from '../upstream/errors.js';

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
 * The error contract for one error, as yoga's error mask: a Run:ai failure
 * or an input refusal thrown by a resolver becomes a coded GraphQL error at
 * the path of the field that failed; yoga's own refusals (a method, a body)
 * and graphql-js's get the code their status or kind stands for; anything
 * unexpected stays masked as INTERNAL_SERVER_ERROR. Every error comes out
 * coded, with its status: yoga calls this for the errors it catches, the
 * error contract plugin for every result's.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): GraphQLError {
  const masked = maskedOf(error, message, isDev);
  return withCode(masked instanceof GraphQLError ? masked : new GraphQLError(masked.message));
}

function maskedOf(error: unknown, message: string, isDev?: boolean): Error {
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
    const coded = maskError(error, 'Unexpected error.');
    const code = coded.extensions['code'] as string;
    if (!requestId || isClientError(code) || coded.extensions['requestId'] === requestId) return coded;
    return withExtensions(coded, { ...coded.extensions, requestId });
  });
}

/** Refusals of the document or its variables, which GraphQL over HTTP's legacy rule covers. */
const DOCUMENT_ERRORS: ReadonlySet<string> = new Set<ErrorCode>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_USER_INPUT',
]);

/**
 * The HTTP status of a response carrying this result, as the contract and
 * GraphQL over HTTP have it: 200 when the operation ran (the result has
 * `data`, even `null`), and 200 for a client that accepts only the legacy
 * `application/json` whose document or variables were refused (such clients
 * read errors from the body); otherwise the highest status of its errors.
 */
export function responseStatusOf(result: ExecutionResult, legacyJsonClient: boolean): number {
  const errors = result.errors ?? [];
  if (errors.length === 0 || result.data !== undefined) return 200;
  if (legacyJsonClient && errors.every((error) => DOCUMENT_ERRORS.has(codeOf(error)))) return 200;
  return Math.max(...errors.map(statusOf));
}

/**
 * The result, to be written with each error's status in its body. Yoga
 * reads `extensions.http` as a directive and leaves it out of the JSON it
 * writes; the contract keeps each error's status in the body. Yoga writes a
 * result with its `stringify` when it has one: this one writes the errors as
 * they are, their status included (and their headers left to the response).
 */
export function withStatusesInBody<R extends ExecutionResult>(result: R): R {
  if (!result.errors?.length) return result;
  const statuses = result.errors.map(statusOf);
  return {
    ...result,
    stringify: (sanitized: { errors?: readonly GraphQLError[] }) =>
      JSON.stringify({
        ...sanitized,
        errors: sanitized.errors?.map((error, i) => errorJson(error, statuses[i])),
      }),
  };
}

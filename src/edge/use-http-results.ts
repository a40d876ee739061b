import { BREAK, type DocumentNode, type ExecutionResult, type GraphQLError, visit } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import {
  codeOf,
  type ErrorCode,
  errorJson,
  gatewayError,
  headersOf,
  statusOf,
  toContract,
  withExtensions,
} from '../pipeline/errors.js';

const STREAMED = /^(multipart\/mixed|text\/event-stream)\b/;

/**
 * Over HTTP (the context holds the request; graphql-ws operations have
 * none), refuses an operation whose result must stream (a subscription, or
 * a document with `@defer` or `@stream`) when the Accept header names no
 * media type that streams: NOT_ACCEPTABLE, naming what to accept.
 */
function refuseUnstreamable(context: unknown, document: DocumentNode, kind: 'incremental' | 'subscription') {
  const request = (context as { request?: Request }).request;
  if (!request) return;
  if (kind === 'incremental' && !usesIncrementalDelivery(document)) return;
  const accepted = (request.headers.get('accept') ?? '*/*').split(',').map((type) => type.trim());
  if (accepted.some((type) => STREAMED.test(type) || type.startsWith('*/*'))) return;
  throw gatewayError(
    'NOT_ACCEPTABLE',
    kind === 'subscription'
      ? 'A subscription over HTTP streams its events: send Accept: text/event-stream (or multipart/mixed), or subscribe over graphql-ws.'
      : 'This operation uses @defer or @stream, whose result comes in parts: send Accept: multipart/mixed or text/event-stream, or drop the directive.',
  );
}

/** Whether a document asks for incremental delivery. */
function usesIncrementalDelivery(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * GraphQL over HTTP for the error contract (src/pipeline/errors.ts): every
 * HTTP and SSE response leaves with coded errors and its status. A response
 * with `data` (even `null`: the operation ran) is a 200; a request error (no
 * `data`) takes the highest status of its errors. Requests yoga answers
 * itself (a media type it cannot read or write, malformed JSON in a GET)
 * are answered in the contract too.
 *
 * Errors raised inside an operation arrive here already in the contract
 * (src/pipeline/use-error-contract.ts, on every transport); those raised
 * around it (yoga's request checks, CSRF, the admission) are put in it here.
 */
export function useHttpResults(): Plugin<object, { requestId?: string }> {
  return {
    // A result only an incremental media type can carry, for a client that accepts none: refused
    // before it runs, so that it costs Run:ai nothing (yoga would run it, then answer an empty 406).
    onExecute({ args }) {
      refuseUnstreamable(args.contextValue, args.document, 'incremental');
    },
    onSubscribe({ args }) {
      refuseUnstreamable(args.contextValue, args.document, 'subscription');
    },
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      // A POST in a media type no parser reads: yoga would answer an empty 415.
      if (!requestParser && request.method === 'POST') {
        return endResponse(
          contractResponse(fetchAPI, 'UNSUPPORTED_MEDIA_TYPE', `${UNSUPPORTED_MEDIA_TYPE}.`),
        );
      }
      if (!requestParser || request.method !== 'GET') return;
      // Yoga's GET parser reads `variables` and `extensions` with JSON.parse and lets its SyntaxError
      // through, which would be masked as a 500: it is the caller's malformed request.
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw gatewayError(
            'BAD_REQUEST',
            'The request holds malformed JSON in `variables` or `extensions`.',
          );
        }
      });
    },
    onResultProcess({
      request,
      result,
      setResult,
      resultProcessor,
      acceptableMediaTypes,
      setResultProcessor,
      serverContext,
    }) {
      if (!resultProcessor) {
        // No media type the client accepts can carry this result: yoga would answer an empty 406.
        return setResultProcessor((unsent, fetchAPI) => {
          // A stream nobody will read is ended, so that a subscription releases its poller.
          if (isAsyncIterable(unsent)) void unsent[Symbol.asyncIterator]().return?.();
          const offered = [...new Set(acceptableMediaTypes)].join(', ');
          return contractResponse(
            fetchAPI,
            'NOT_ACCEPTABLE',
            `No media type in the Accept header can carry this result; accept one of: ${offered}.`,
          );
        }, 'application/json');
      }
      if (Array.isArray(result)) return;
      const requestId = serverContext.requestId;
      if (isAsyncIterable(result)) {
        // SSE and multipart (@defer, @stream): the status went with the first payload; each
        // payload's errors still carry their status.
        setResult(
          mapAsyncIterator(result, (payload) =>
            payload.errors?.length ? serialised(payload, requestId) : payload,
          ),
        );
        return;
      }
      if (!result.errors?.length) return;
      const statuses = result.errors.map(statusOf);
      const ran = result.data !== undefined;
      const legacy =
        acceptsOnlyJson(request) && result.errors.every((error) => DOCUMENT_ERRORS.has(codeOf(error)));
      const status = ran || legacy ? 200 : Math.max(...statuses);
      const http = (result.extensions?.['http'] ?? {}) as { headers?: Record<string, string> };
      // The errors' headers (Retry-After) go on the response, as yoga would put them.
      const headers = Object.assign({}, http.headers, ...result.errors.map(headersOf));
      setResult({
        ...serialised(result, requestId),
        extensions: { ...result.extensions, http: { headers, status } },
      });
    },
  };
}

const UNSUPPORTED_MEDIA_TYPE =
  'Send GraphQL as application/json (or application/graphql, multipart/form-data, application/x-www-form-urlencoded)';

/** A refusal answered before any GraphQL, in the shape of the error contract. */
function contractResponse(
  fetchAPI: { Response: typeof Response },
  code: ErrorCode,
  message: string,
): Response {
  const error = gatewayError(code, message);
  return new fetchAPI.Response(JSON.stringify({ errors: [errorJson(error)] }), {
    status: statusOf(error),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/**
 * The result in the contract, serialised with each error's status. Yoga reads
 * `extensions.http` as a directive (the response's status and headers) and
 * leaves it out of the JSON it writes; the contract keeps each error's status
 * in the body and answers 200 whenever data is present. So the errors go to
 * yoga without the directive, and yoga's `stringify` hook writes each error's
 * status into the body.
 */
function serialised<R extends ExecutionResult>(result: R, requestId: string | undefined): R {
  const errors = toContract(result.errors ?? [], requestId);
  const statuses = errors.map(statusOf);
  return {
    ...result,
    errors: errors.map((error) => {
      const { http: _http, ...extensions } = error.extensions;
      return withExtensions(error, extensions);
    }),
    stringify: (sanitized: { errors?: readonly GraphQLError[] }) =>
      JSON.stringify({
        ...sanitized,
        errors: sanitized.errors?.map((error, i) => errorJson(error, statuses[i])),
      }),
  };
}

/**
 * GraphQL over HTTP asks servers to answer a client that accepts only the
 * legacy `application/json` with a 200 for every well-formed request, also
 * when its document or variables are refused: such clients read the errors
 * from the body, not the status.
 */
function acceptsOnlyJson(request: Request): boolean {
  const accept = request.headers.get('accept') ?? '';
  return (
    accept.includes('application/json') &&
    !accept.includes('application/graphql-response+json') &&
    !accept.includes('*/*')
  );
}

/** Refusals of the document or its variables, which that rule covers (not credentials, methods or sizes). */
const DOCUMENT_ERRORS: ReadonlySet<string> = new Set<ErrorCode>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_USER_INPUT',
]);

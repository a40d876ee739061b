import type { ExecutionResult, GraphQLError } from 'graphql';
import { createGraphQLError, isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { codeOf, maskError, statusOf, withCode, withExtensions } from './errors.js';

type ErrorJson = ReturnType<GraphQLError['toJSON']>;

/**
 * A payload of an incremental delivery (`@defer`, `@stream`) in the shape yoga's executor sends
 * (graphql-js 17 alpha): the first has `data`, each later one `incremental` parts, the deferred
 * `data` or streamed `items` at a `path`, with the errors raised inside them.
 */
export interface IncrementalPayload {
  errors?: readonly GraphQLError[] | undefined;
  incremental?:
    | readonly {
        data?: unknown;
        items?: unknown;
        path?: readonly (string | number)[] | undefined;
        errors?: readonly GraphQLError[] | undefined;
      }[]
    | undefined;
}

/** The payload with `map` applied to the errors of each incremental part (the top-level ones as they are). */
export function mapIncrementalErrors<P extends IncrementalPayload>(
  payload: P,
  map: (errors: readonly GraphQLError[]) => GraphQLError[],
): P {
  if (!payload.incremental?.some((part) => part.errors?.length)) return payload;
  return {
    ...payload,
    incremental: payload.incremental.map((part) =>
      part.errors?.length ? { ...part, errors: map(part.errors) } : part,
    ),
  };
}

/** A payload's errors: the top-level ones, then those of its incremental parts. */
export function errorsOf(payload: IncrementalPayload): GraphQLError[] {
  return [...(payload.errors ?? []), ...(payload.incremental ?? []).flatMap((part) => part.errors ?? [])];
}

/**
 * Applies the error contract (src/pipeline/errors.ts) to every HTTP and SSE
 * response: each error gets its `extensions.code`, and the response its
 * status. A response with `data` (even `null`: the operation ran) is a 200,
 * as GraphQL over HTTP asks; a request error (no `data`) takes the highest
 * status of its errors.
 *
 * Yoga reads `extensions.http` as a directive: it answers with the highest
 * status among the errors and strips the key. So the errors go to yoga
 * without it, the response status is set once on the result, and each
 * error's own status is written back into the JSON at serialisation.
 */
export function useErrorContract(): Plugin {
  return {
    // Yoga's GET parser reads `variables` and `extensions` with JSON.parse and lets its SyntaxError
    // through, which would be masked as a 500: it is the caller's malformed request.
    onRequestParse({ request, requestParser, setRequestParser, endResponse, fetchAPI }) {
      // A POST in a media type no parser reads: yoga would answer an empty 415.
      if (!requestParser && request.method === 'POST') {
        return endResponse(
          contractResponse(fetchAPI, 415, 'UNSUPPORTED_MEDIA_TYPE', `${UNSUPPORTED_MEDIA_TYPE_MESSAGE}.`),
        );
      }
      if (!requestParser || request.method !== 'GET') return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw createGraphQLError('The request holds malformed JSON in `variables` or `extensions`.', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      });
    },
    // Yoga masks only the top-level errors of a payload: those raised inside a deferred fragment or a
    // streamed item are masked and coded here, for HTTP, SSE and WebSocket alike.
    onExecute() {
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) return;
          return {
            onNext({ result: payload, setResult }) {
              setResult(
                mapIncrementalErrors(payload, (errors) =>
                  errors.map((error) => withCode(maskError(error, 'Unexpected error.') as GraphQLError)),
                ),
              );
            },
          };
        },
      };
    },
    onResultProcess({
      request,
      result,
      setResult,
      resultProcessor,
      acceptableMediaTypes,
      setResultProcessor,
    }) {
      if (!resultProcessor) {
        // No media type the client accepts can carry this result: yoga would answer an empty 406.
        return setResultProcessor((unsent, fetchAPI) => {
          // A stream nobody will read is ended, so that a subscription releases its poller.
          if (isAsyncIterable(unsent)) void unsent[Symbol.asyncIterator]().return?.();
          const offered = [...new Set(acceptableMediaTypes)].join(', ');
          return contractResponse(
            fetchAPI,
            406,
            'NOT_ACCEPTABLE',
            `No media type in the Accept header can carry this result; accept one of: ${offered}.`,
          );
        }, 'application/json');
      }
      if (Array.isArray(result)) return;
      if (isAsyncIterable(result)) {
        // SSE and multipart (@defer, @stream): the status went with the first payload; each
        // payload's errors still get their code and status.
        setResult(mapAsyncIterator(result, (payload) => (payload.errors?.length ? coded(payload) : payload)));
        return;
      }
      if (!result.errors?.length) return;
      const statuses = result.errors.map(statusOf);
      const ran = result.data !== undefined;
      const legacy =
        acceptsOnlyJson(request) && result.errors.every((error) => isDocumentError(codeOf(error)));
      const status = ran || legacy ? 200 : Math.max(...statuses);
      const http = (result.extensions?.['http'] ?? {}) as Record<string, unknown>;
      setResult({ ...coded(result), extensions: { ...result.extensions, http: { ...http, status } } });
    },
  };
}

const UNSUPPORTED_MEDIA_TYPE_MESSAGE =
  'Send GraphQL as application/json (or application/graphql, multipart/form-data, application/x-www-form-urlencoded)';

/** A refusal answered outside execution, in the shape of the error contract. */
function contractResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  code: string,
  message: string,
): Response {
  return new fetchAPI.Response(
    JSON.stringify({ errors: [{ message, extensions: { code, http: { status } } }] }),
    {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    },
  );
}

/**
 * The result with coded errors, serialised with each error's status. Yoga reads
 * `extensions.http` as a directive and strips it, so the errors go to yoga without
 * it and `stringify` writes it back; yoga keeps the errors' order.
 */
function coded<R extends ExecutionResult>(result: R): R {
  const errors = (result.errors ?? []).map(withCode);
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
        errors: sanitized.errors?.map((error, i): ErrorJson => {
          const json = typeof error.toJSON === 'function' ? error.toJSON() : (error as unknown as ErrorJson);
          return { ...json, extensions: { ...json.extensions, http: { status: statuses[i] } } };
        }),
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
const DOCUMENT_ERRORS: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_LIMIT_EXCEEDED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_USER_INPUT',
]);

function isDocumentError(code: string): boolean {
  return DOCUMENT_ERRORS.has(code);
}

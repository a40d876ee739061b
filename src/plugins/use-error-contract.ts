import type { GraphQLError } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { codeOf, statusOf, withCode, withExtensions } from '../error-contract.js';

type ErrorJson = ReturnType<GraphQLError['toJSON']>;

/**
 * Applies the error contract (src/error-contract.ts) to every HTTP and SSE
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
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
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
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || isAsyncIterable(result) || !result.errors?.length) return;
      const coded = result.errors.map(withCode);
      const statuses = coded.map(statusOf);
      const ran = result.data !== undefined;
      const legacy = acceptsOnlyJson(request) && coded.every((error) => isDocumentError(codeOf(error)));
      const status = ran || legacy ? 200 : Math.max(...statuses);
      const http = (result.extensions?.['http'] ?? {}) as Record<string, unknown>;
      setResult({
        ...result,
        errors: coded.map((error) => {
          const { http: _http, ...extensions } = error.extensions;
          return withExtensions(error, extensions);
        }),
        extensions: { ...result.extensions, http: { ...http, status } },
        // Yoga serialises through `stringify` after stripping its internals; the errors keep their order.
        stringify: (sanitized: { errors?: readonly GraphQLError[] }) =>
          JSON.stringify({
            ...sanitized,
            errors: sanitized.errors?.map((error, i): ErrorJson => {
              const json =
                typeof error.toJSON === 'function' ? error.toJSON() : (error as unknown as ErrorJson);
              return { ...json, extensions: { ...json.extensions, http: { status: statuses[i] } } };
            }),
          }),
      } as typeof result);
    },
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

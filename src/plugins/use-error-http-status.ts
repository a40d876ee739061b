import type { GraphQLError } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';

type ErrorJson = ReturnType<GraphQLError['toJSON']>;

function httpStatusOf(error: unknown): number | undefined {
  const http = (error as GraphQLError).extensions?.['http'] as { status?: unknown } | undefined;
  return typeof http?.status === 'number' ? http.status : undefined;
}

/**
 * Keeps `extensions.http.status` visible to clients, and picks the HTTP
 * status the GraphQL-over-HTTP way.
 *
 * Yoga reads `extensions.http` as a transport directive: it strips it from
 * the response and answers with the highest status among the errors, even
 * when the response also holds data. Here, a response with data (some
 * fields failed) is a 200, as GraphQL over HTTP asks; a response without
 * data keeps the errors' status (400 for bad input, 401, …). Either way each
 * error still tells its own status in `extensions.http.status`.
 */
export function useErrorHttpStatus(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || isAsyncIterable(result) || !result.errors?.length) return;
      const statuses = result.errors.map(httpStatusOf);
      if (statuses.every((s) => s === undefined)) return;
      const hasData = result.data !== null && result.data !== undefined;
      const errors = hasData
        ? result.errors.map((error) => {
            // Without the directive yoga answers 200; the status is written back at serialisation.
            const { http: _http, ...extensions } = error.extensions ?? {};
            return createGraphQLError(error.message, {
              nodes: error.nodes ?? null,
              source: error.source ?? null,
              positions: error.positions ?? null,
              path: error.path ?? null,
              originalError: error.originalError ?? null,
              extensions,
            });
          })
        : result.errors;
      setResult({
        ...result,
        errors,
        // Yoga serialises through `stringify` after stripping its internals; the errors keep their order.
        stringify: (sanitized: { errors?: readonly GraphQLError[] }) =>
          JSON.stringify({
            ...sanitized,
            errors: sanitized.errors?.map((error, i): ErrorJson => {
              const json =
                typeof error.toJSON === 'function' ? error.toJSON() : (error as unknown as ErrorJson);
              const status = statuses[i];
              if (status === undefined) return json;
              return { ...json, extensions: { ...json.extensions, http: { status } } };
            }),
          }),
      } as typeof result);
    },
  };
}

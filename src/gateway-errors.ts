import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { InputValidationError } from './resolvers/errors.js';
import { errorExtensions, isUpstreamError } from './upstream/errors.js';

/**
 * Yoga's error mask, taught about Run:ai failures: an `UpstreamError` thrown
 * by a resolver becomes a GraphQL error with a stable `extensions.code`,
 * `extensions.http.status` and the upstream's code and message, at the path
 * of the field that failed. Anything unexpected stays masked.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  // Duck-typed rather than `instanceof`: a second copy of graphql (CJS next to ESM) must not unmask errors.
  const gqlError = isGraphQLErrorLike(error) ? error : undefined;
  const original = gqlError ? gqlError.originalError : error;
  const located = (extensions: Record<string, unknown>, text: string) => {
    return new GraphQLError(text, {
      ...(gqlError?.nodes ? { nodes: gqlError.nodes } : {}),
      ...(gqlError?.source ? { source: gqlError.source } : {}),
      ...(gqlError?.positions ? { positions: gqlError.positions } : {}),
      ...(gqlError?.path ? { path: gqlError.path } : {}),
      extensions,
    });
  };
  if (isUpstreamError(original)) return located(errorExtensions(original), original.message);
  if (original instanceof InputValidationError) {
    return located(
      { code: 'BAD_USER_INPUT', http: { status: 400 }, fields: original.fields },
      original.message,
    );
  }
  return yogaMaskError(error, message, isDev);
}

function isGraphQLErrorLike(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError' && 'originalError' in error;
}

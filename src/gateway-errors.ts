import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { errorExtensions, isUpstreamError } from './upstream/errors.js';

/**
 * Yoga's error mask, taught about Run:ai failures: an `UpstreamError` thrown
 * by a resolver becomes a GraphQL error with a stable `extensions.code`,
 * `extensions.http.status` and the upstream's code and message, at the path
 * of the field that failed. Anything unexpected stays masked.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (isUpstreamError(original)) {
    const gqlError = error instanceof GraphQLError ? error : undefined;
    return new GraphQLError(original.message, {
      ...(gqlError?.nodes ? { nodes: gqlError.nodes } : {}),
      ...(gqlError?.source ? { source: gqlError.source } : {}),
      ...(gqlError?.positions ? { positions: gqlError.positions } : {}),
      ...(gqlError?.path ? { path: gqlError.path } : {}),
      extensions: errorExtensions(original),
    });
  }
  return yogaMaskError(error, message, isDev);
}

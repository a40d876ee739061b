import { InputValidationError } from '../domain/errors.js';
import { isUpstreamError } from '../upstream/errors.js';

/** Run:ai refused a change that clashes with an existing pool (HTTP 409), e.g. a duplicate name. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** The pool or cluster a mutation names does not exist for the caller (HTTP 404). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** The caller may read but not change node pools (HTTP 403). */
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

/**
 * Turns a Run:ai refusal of a change into the typed error a mutation
 * returns as data (400/422 → ValidationError, 403, 404, 409); anything else
 * (outages, timeouts, 401) is rethrown and becomes a GraphQL error.
 */
export function asMutationError(error: unknown): Error {
  if (!isUpstreamError(error)) return error instanceof Error ? error : new Error(String(error));
  const said = error.upstreamMessage ?? error.message;
  switch (error.code) {
    case 'BAD_USER_INPUT':
      return new InputValidationError([{ path: '', message: `Run:ai refused the input: ${said}` }]);
    case 'FORBIDDEN':
      return new ForbiddenError(`You may not change node pools: ${said}`);
    case 'NOT_FOUND':
      return new NotFoundError(`Run:ai does not know this node pool or cluster: ${said}`);
    case 'CONFLICT':
      return new ConflictError(`Run:ai refused the change: ${said}`);
    default:
      return error;
  }
}

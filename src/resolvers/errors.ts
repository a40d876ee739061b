import { isUpstreamError } from '../upstream/errors.js';

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

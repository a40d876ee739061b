import type { ASTNode } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

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

/** A BAD_USER_INPUT GraphQL error, with the broken rules in `extensions.fields`. */
export function badUserInput(message: string, fields: FieldProblem[] = [], nodes?: readonly ASTNode[]) {
  return createGraphQLError(message, {
    ...(nodes ? { nodes } : {}),
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 }, ...(fields.length ? { fields } : {}) },
  });
}

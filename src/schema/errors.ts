import { type FieldProblem, InputValidationError } from '../domain/errors.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../resolvers/errors.js';
import { builder } from './builder.js';

/** The interface every typed mutation error implements, so clients can read `message` without knowing the type. */
export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A failure a mutation reports as data. Branch on `__typename` for the kind.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
  }),
});

// The error types are common names among subgraphs: @shareable lets them compose beside another's (./subgraph.ts).
export const FieldErrorRef = builder.objectRef<FieldProblem>('FieldError').implement({
  description: 'One broken input rule.',
  shareable: true,
  fields: (t) => ({
    path: t.exposeString('path', {
      description:
        'Dot-separated path of the argument, e.g. `input.name`; empty when the rule spans the whole input.',
    }),
    message: t.exposeString('message', { description: 'The rule that is broken.' }),
  }),
});

builder.objectType(InputValidationError, {
  name: 'ValidationError',
  shareable: true,
  description:
    'The input breaks one or more rules; nothing was changed. Every broken rule is listed, and most are found before Run:ai is asked.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fields: t.field({
      type: [FieldErrorRef],
      description: 'Every broken rule, with its path.',
      resolve: (error) => error.fields,
    }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  shareable: true,
  description:
    'The change clashes with an existing pool, e.g. its name is taken in the cluster (Run:ai 409).',
  interfaces: [ErrorInterface],
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  shareable: true,
  description: 'The pool or cluster is unknown to the caller (Run:ai 404).',
  interfaces: [ErrorInterface],
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  shareable: true,
  description: 'The caller may not change node pools (Run:ai 403), e.g. a viewer.',
  interfaces: [ErrorInterface],
});

/** The typed errors every pool mutation may return as data. */
export const MUTATION_ERRORS = [InputValidationError, ForbiddenError, ConflictError, NotFoundError];

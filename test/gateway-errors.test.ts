import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { maskError } from '../src/gateway-errors.js';
import { InputValidationError } from '../src/resolvers/errors.js';
import { UpstreamError } from '../src/upstream/errors.js';

const located = (original: Error) =>
  new GraphQLError(original.message, { path: ['nodePools'], originalError: original });

describe('maskError', () => {
  it('masks unexpected errors, hiding their message and stack', () => {
    const masked = maskError(
      located(new Error('db password is hunter2')),
      'Unexpected error.',
      false,
    ) as GraphQLError;
    expect(masked.message).toBe('Unexpected error.');
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(masked.extensions.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('turns a Run:ai failure into a coded error at the same path', () => {
    const upstream = new UpstreamError({
      code: 'UPSTREAM_UNAVAILABLE',
      operation: 'get_nodepools',
      status: 503,
    });
    const masked = maskError(located(upstream), 'Unexpected error.', false) as GraphQLError;
    expect(masked.path).toEqual(['nodePools']);
    expect(masked.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      http: { status: 503 },
      upstream: { operation: 'get_nodepools', status: 503 },
    });
  });

  it('turns invalid input into BAD_USER_INPUT listing every problem', () => {
    const invalid = new InputValidationError([
      { path: 'first', message: 'too big' },
      { path: 'filter.name.eq', message: 'has a comma' },
    ]);
    const masked = maskError(located(invalid), 'Unexpected error.', false) as GraphQLError;
    expect(masked.extensions.code).toBe('BAD_USER_INPUT');
    expect(masked.extensions.fields).toHaveLength(2);
  });
});

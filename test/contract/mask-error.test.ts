import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InputValidationError } from '../../src/domain/errors.js';
import { maskError } from '../../src/graphql/errors.js';
import { UpstreamError } from '../../src/upstream/errors.js';

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

describe('maskError on Run:ai failures', () => {
  it('exposes code, gateway status and the upstream answer, nothing else', () => {
    const err = new UpstreamError({
      code: 'FORBIDDEN',
      operation: 'create_nodepool',
      status: 403,
      upstreamCode: 403,
      upstreamMessage: 'You do not have sufficient permissions.',
      details: 'internal detail',
      cause: new Error('secret-token-abc'),
    });
    const ext = (maskError(located(err), 'Unexpected error.', false) as GraphQLError).extensions;
    expect(ext).toEqual({
      code: 'FORBIDDEN',
      http: { status: 403 },
      upstream: {
        operation: 'create_nodepool',
        status: 403,
        code: 403,
        message: 'You do not have sufficient permissions.',
      },
    });
    const json = JSON.stringify(ext);
    expect(json).not.toContain('secret-token-abc');
    expect(json).not.toContain('internal detail');
    expect(json).not.toContain('stack');
  });

  it('uses null for what a connection failure does not have', () => {
    const timeout = new UpstreamError({ code: 'UPSTREAM_TIMEOUT', operation: 'get_nodepools' });
    expect((maskError(located(timeout), 'Unexpected error.', false) as GraphQLError).extensions).toEqual({
      code: 'UPSTREAM_TIMEOUT',
      http: { status: 504 },
      upstream: { operation: 'get_nodepools', status: null, code: null, message: null },
    });
  });
});

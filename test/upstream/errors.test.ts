import { describe, expect, it } from 'vitest';
import {
  errorCodeForStatus,
  errorExtensions,
  errorFromResponse,
  isUpstreamError,
  UpstreamError,
} from '../../src/upstream/errors.js';
import { parseRetryAfter } from '../../src/upstream/http.js';

describe('errorCodeForStatus', () => {
  it.each([
    [400, 'BAD_USER_INPUT', 400],
    [422, 'BAD_USER_INPUT', 400],
    [401, 'UNAUTHENTICATED', 401],
    [403, 'FORBIDDEN', 403],
    [404, 'NOT_FOUND', 404],
    [409, 'CONFLICT', 409],
    [429, 'RATE_LIMITED', 429],
    [502, 'UPSTREAM_UNAVAILABLE', 503],
    [503, 'UPSTREAM_UNAVAILABLE', 503],
    [504, 'UPSTREAM_UNAVAILABLE', 503],
    [500, 'UPSTREAM_ERROR', 502],
    [501, 'UPSTREAM_ERROR', 502],
    [405, 'UPSTREAM_ERROR', 502],
  ] as const)('%i → %s (gateway %i)', (status, code, httpStatus) => {
    expect(errorCodeForStatus(status)).toBe(code);
    expect(new UpstreamError({ code, operation: 'op', status }).httpStatus).toBe(httpStatus);
  });

  it('reports timeouts as 504 and bad responses as 502', () => {
    expect(new UpstreamError({ code: 'UPSTREAM_TIMEOUT', operation: 'op' }).httpStatus).toBe(504);
    expect(new UpstreamError({ code: 'UPSTREAM_BAD_RESPONSE', operation: 'op' }).httpStatus).toBe(502);
  });
});

describe('errorFromResponse', () => {
  it("reads Run:ai's {code, message, details} body", () => {
    const err = errorFromResponse('get_nodepool', 404, {
      code: 404,
      message: 'Nodepool 99 not found',
      details: 'id=99',
    });
    expect(err).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      upstreamCode: 404,
      upstreamMessage: 'Nodepool 99 not found',
      details: 'id=99',
      operation: 'get_nodepool',
    });
    expect(err.message).toContain('Nodepool 99 not found');
    expect(err.message).toContain('get_nodepool');
  });

  it('copes with a missing or foreign body', () => {
    const err = errorFromResponse('get_nodepools', 502, undefined);
    expect(err.upstreamMessage).toBeUndefined();
    expect(err.upstreamCode).toBeUndefined();
    expect(err.message).toBe('Run:ai is unavailable (get_nodepools, HTTP 502)');
    expect(errorFromResponse('op', 400, ['x']).upstreamMessage).toBeUndefined();
    expect(errorFromResponse('op', 400, { message: 42 }).upstreamMessage).toBeUndefined();
  });

  it('truncates very long upstream messages', () => {
    const err = errorFromResponse('op', 500, { code: 500, message: 'x'.repeat(5000) });
    expect(err.upstreamMessage!.length).toBeLessThanOrEqual(501);
  });
});

describe('errorExtensions', () => {
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
    const ext = errorExtensions(err);
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
    expect(
      errorExtensions(new UpstreamError({ code: 'UPSTREAM_TIMEOUT', operation: 'get_nodepools' })),
    ).toEqual({
      code: 'UPSTREAM_TIMEOUT',
      http: { status: 504 },
      upstream: { operation: 'get_nodepools', status: null, code: null, message: null },
    });
  });
});

describe('isUpstreamError', () => {
  it('recognizes UpstreamError only', () => {
    expect(isUpstreamError(new UpstreamError({ code: 'NOT_FOUND', operation: 'x' }))).toBe(true);
    expect(isUpstreamError(new Error('x'))).toBe(false);
    expect(isUpstreamError({ name: 'UpstreamError', code: 'NOT_FOUND' })).toBe(false);
    expect(isUpstreamError(undefined)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(['1'], now)).toBe(1000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or invalid values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
  });
});

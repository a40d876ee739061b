import { describe, expect, it } from 'vitest';
import { statusOfCode } from '../../src/domain/errors.js';
import {
  errorCodeForStatus,
  errorFromResponse,
  isUpstreamError,
  parseRetryAfter,
  UpstreamError,
} from '../../src/upstream/errors.js';

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
    expect(statusOfCode(new UpstreamError({ code, operation: 'op', status }).code)).toBe(httpStatus);
  });

  it('reports timeouts as 504 and bad responses as 502', () => {
    expect(statusOfCode('UPSTREAM_TIMEOUT')).toBe(504);
    expect(statusOfCode('UPSTREAM_BAD_RESPONSE')).toBe(502);
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

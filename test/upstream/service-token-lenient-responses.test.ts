import { describe, expect, it } from 'vitest';
import { CLIENT_ID, unsignedJwt, useServiceTokens } from './service-token-fixture.js';
import { expectUpstreamError } from './support.js';

const t = useServiceTokens();

/** A token response of another shape than the simulator's, and how long the token it carries is used. */
interface Lifetime {
  /** The response, given the time it is issued at. */
  response: (issuedAt: number) => { body: object; token: string };
  /** Still used this long after it was issued… */
  usedUntilMs: number;
  /** …and no longer this long after. */
  replacedAtMs: number;
  /** Where the lifetime came from, as logged. */
  expirySource: 'expiresIn' | 'jwt-exp' | 'default';
}

describe('ServiceTokenSource: lenient token responses', () => {
  it.each<[string, Lifetime]>([
    [
      'accepts the OAuth2 spellings access_token / expires_in (300 s: refreshed 60 s before)',
      {
        response: () => ({
          body: { access_token: 'opaque-oauth-token', token_type: 'Bearer', expires_in: 300 },
          token: 'opaque-oauth-token',
        }),
        usedUntilMs: 239_000,
        replacedAtMs: 241_000,
        expirySource: 'expiresIn',
      },
    ],
    [
      'falls back to the JWT exp claim without expiresIn (600 s)',
      {
        response: (issuedAt) => {
          const jwt = unsignedJwt({ sub: CLIENT_ID, exp: Math.floor(issuedAt / 1000) + 600 });
          return { body: { accessToken: jwt }, token: jwt };
        },
        usedUntilMs: 530_000,
        replacedAtMs: 545_000,
        expirySource: 'jwt-exp',
      },
    ],
    [
      'assumes 3600 s for an opaque token without expiresIn',
      {
        response: () => ({ body: { accessToken: 'opaque' }, token: 'opaque' }),
        usedUntilMs: 3_539_000,
        replacedAtMs: 3_541_000,
        expirySource: 'default',
      },
    ],
    [
      'refreshes a token shorter-lived than the margin at half its lifetime (30 s)',
      {
        response: () => ({ body: { accessToken: 'short', expiresIn: 30 }, token: 'short' }),
        usedUntilMs: 14_000,
        replacedAtMs: 16_000,
        expirySource: 'expiresIn',
      },
    ],
  ])('%s', async (_name, lifetime) => {
    const src = t.source();
    const start = t.clock.now;
    const { body, token } = lifetime.response(start);
    t.nextTokenResponse(body);
    expect(await src.getToken()).toBe(token);
    t.clock.now = start + lifetime.usedUntilMs;
    expect(await src.getToken()).toBe(token);
    t.clock.now = start + lifetime.replacedAtMs;
    expect(await src.getToken()).not.toBe(token);
    expect(t.tokenCalls()).toBe(2);
    expect(t.logLines).toContainEqual(expect.stringContaining(`"expirySource":"${lifetime.expirySource}"`));
  });

  it('rejects a response without an access token as UPSTREAM_BAD_RESPONSE', async () => {
    const src = t.source();
    t.nextTokenResponse({ idToken: 'x', expiresIn: 3600 });
    await expectUpstreamError(src.getToken(), {
      code: 'UPSTREAM_BAD_RESPONSE',
      operation: 'issue_token',
      status: 200,
    });
    // The next call tries again.
    const token = await src.getToken();
    expect(await t.listPools(token)).toMatchObject({ nodepools: expect.any(Array) });
    expect(t.tokenCalls()).toBe(2);
  });
});

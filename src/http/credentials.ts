import { createHash, timingSafeEqual } from 'node:crypto';
import type { SentCredentials } from '../graphql/facts.js';
import { credentialScope } from '../upstream/credential-scope.js';

/**
 * The longest bearer token forwarded to Run:ai. Real tokens (JWTs) take a
 * few KB; a longer one would only make Run:ai or a proxy in front of it
 * refuse the request line (431), so it is refused here.
 */
export const MAX_TOKEN_LENGTH = 8192;

/** `Bearer <b64token>`, RFC 6750 §2.1: the scheme (any case), spaces, then token68 characters. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Reads an `Authorization` value. A bearer token must follow RFC 6750's
 * syntax (ASCII letters, digits and `-._~+/`, then `=` padding) and be at
 * most {@link MAX_TOKEN_LENGTH} characters; anything else sent (another
 * scheme, a NUL, non-ASCII text) is invalid rather than "no token", so it
 * neither reaches Run:ai nor falls back to ambient credentials.
 */
export function readCredentials(header: string | null | undefined): SentCredentials {
  if (header === null || header === undefined || header.trim() === '') return { kind: 'none' };
  if (header.length > MAX_TOKEN_LENGTH + 16) {
    return { kind: 'invalid', problem: `the bearer token is longer than ${MAX_TOKEN_LENGTH} characters` };
  }
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    return {
      kind: 'invalid',
      problem: 'the Authorization header is not `Bearer <token>` with a token of RFC 6750 characters',
    };
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    return { kind: 'invalid', problem: `the bearer token is longer than ${MAX_TOKEN_LENGTH} characters` };
  }
  return { kind: 'bearer', token, scope: credentialScope(token) };
}

/** The credentials a client put in its `connection_init` payload (`{ authorization: 'Bearer …' }`). */
export function connectionCredentials(
  params: Readonly<Record<string, unknown>> | undefined,
): SentCredentials {
  const value = params?.['authorization'] ?? params?.['Authorization'];
  if (value === undefined || value === null) return { kind: 'none' };
  if (typeof value !== 'string') return { kind: 'invalid', problem: 'the authorization is not a string' };
  return readCredentials(value);
}

/**
 * Whether a request's `x-router-secret` header carries the federation
 * router's secret (ROUTER_SECRET), compared in constant time.
 */
export function carriesRouterSecret(
  header: string | string[] | undefined,
  secret: string | undefined,
): boolean {
  if (secret === undefined || typeof header !== 'string') return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(header), digest(secret));
}

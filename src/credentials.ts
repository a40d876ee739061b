export { credentialScope } from './upstream/credential-scope.js';

/**
 * The longest bearer token forwarded to Run:ai. Real tokens (JWTs) take a
 * few KB; a longer one would only make Run:ai or a proxy in front of it
 * refuse the request line (431), so it is refused here.
 */
export const MAX_TOKEN_LENGTH = 8192;

/** Extracts the token from an `Authorization: Bearer …` value; anything else counts as no token. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** The Authorization value a client put in its `connection_init` payload. */
export function connectionAuthorization(
  params: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const value = params?.['authorization'] ?? params?.['Authorization'];
  return typeof value === 'string' ? value : undefined;
}

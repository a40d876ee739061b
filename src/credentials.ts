import { createHash } from 'node:crypto';

/** Extracts the token from an `Authorization: Bearer …` value; anything else counts as no token. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * A stable, non-reversible name for a credential: the key that scopes caches
 * and watchers to one caller identity. Tokens never leave the process; their
 * hashes may (logs, metrics, Redis).
 */
export function credentialScope(token: string | undefined): string {
  if (!token) return 'anonymous';
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

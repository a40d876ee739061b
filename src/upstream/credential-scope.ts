import { createHash } from 'node:crypto';

/**
 * A stable, non-reversible name for a credential: the key that scopes caches
 * and watchers to one caller identity. Tokens never leave the process; their
 * hashes may (logs, metrics, Redis).
 */
export function credentialScope(token: string | undefined): string {
  if (!token) return 'anonymous';
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

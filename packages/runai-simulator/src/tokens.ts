import { randomBytes } from 'node:crypto';
import type { ServiceClient, TokenEntry } from './types.js';

/** The bearer tokens a simulator accepts unless told otherwise. */
export const DEFAULT_TOKENS: Record<string, TokenEntry> = {
  'demo-admin': { tenantId: 1001, role: 'admin' },
  'demo-viewer': { tenantId: 1001, role: 'viewer' },
  'demo-admin-2': { tenantId: 1002, role: 'admin' },
};

/** The client-credentials clients a simulator accepts unless told otherwise. */
export const DEFAULT_SERVICE_CLIENTS: Record<string, ServiceClient> = {
  'demo-client': { secret: 'demo-secret', tenantId: 1001, role: 'admin' },
};

/** Who a valid token stands for. */
export interface Principal extends TokenEntry {
  /** Shown as createdBy/updatedBy/deletedBy. */
  subject: string;
}

interface StoredToken extends Principal {
  /** ms since epoch after which the token answers 401; undefined: never. */
  expiresAt: number | undefined;
}

/** Tokens issued by the token endpoint. */
export interface IssuedToken {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  expiresIn: number;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned JWT-shaped token, so clients that read `exp` from the token work against the simulator. */
function jwtLike(claims: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.${randomBytes(16).toString('base64url')}`;
}

/** The token table of one simulator: static tokens plus tokens issued at run time, with expiry. */
export class TokenTable {
  private readonly tokens = new Map<string, StoredToken>();

  constructor(
    initial: Record<string, TokenEntry>,
    private readonly serviceClients: Record<string, ServiceClient>,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {
    for (const [token, entry] of Object.entries(initial)) this.set(token, entry);
  }

  /** Adds, replaces (entry) or revokes (null) a token that never expires. */
  set(token: string, entry: TokenEntry | null): void {
    if (entry === null) {
      this.tokens.delete(token);
      return;
    }
    this.tokens.set(token, {
      tenantId: entry.tenantId,
      role: entry.role,
      subject: `${token}@tenant-${entry.tenantId}.example.com`,
      expiresAt: undefined,
    });
  }

  /** The principal of a token, or undefined when it is unknown or expired. */
  lookup(token: string): Principal | undefined {
    const stored = this.tokens.get(token);
    if (!stored) return undefined;
    if (stored.expiresAt !== undefined && this.now() >= stored.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return stored;
  }

  /** Runs the client-credentials grant; undefined when the client or secret is wrong. */
  issue(clientId: string, clientSecret: string): IssuedToken | undefined {
    const client = Object.hasOwn(this.serviceClients, clientId) ? this.serviceClients[clientId] : undefined;
    if (!client || client.secret !== clientSecret) return undefined;
    const issuedAt = this.now();
    const expiresAt = issuedAt + this.ttlSeconds * 1000;
    const claims = {
      sub: clientId,
      tenant_id: client.tenantId,
      iat: Math.floor(issuedAt / 1000),
      exp: Math.floor(expiresAt / 1000),
    };
    const accessToken = jwtLike(claims);
    this.tokens.set(accessToken, {
      tenantId: client.tenantId,
      role: client.role,
      subject: clientId,
      expiresAt,
    });
    return {
      accessToken,
      idToken: jwtLike({ ...claims, typ: 'ID' }),
      refreshToken: randomBytes(24).toString('base64url'),
      expiresIn: this.ttlSeconds,
    };
  }

  /** The static token table, for printing. */
  entries(): Array<[string, TokenEntry]> {
    return [...this.tokens.entries()]
      .filter(([, stored]) => stored.expiresAt === undefined)
      .map(([token, stored]) => [token, { tenantId: stored.tenantId, role: stored.role }]);
  }
}

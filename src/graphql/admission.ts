import { LRUCache } from 'lru-cache';
import { gatewayError } from '../domain/errors.js';
import type { CredentialVerdicts } from '../upstream/credential-verdicts.js';
import type { GatewayContext } from './context.js';
import type { EdgeFacts } from './facts.js';
import type { RateLimiter } from './rate-limiter.js';
import { apqNamespaceOf, type DocumentParams, type TrustedDocuments } from './trusted-documents.js';

/**
 * The key the rate limit charges: the token's scope once Run:ai has
 * accepted that token, otherwise the client address, so that invented
 * tokens share their sender's budget (and nothing is kept of a token Run:ai
 * has not accepted).
 */
export function rateKeyOf(facts: EdgeFacts, verdicts: CredentialVerdicts | undefined): string {
  const sent = facts.credentials;
  if (sent.kind === 'bearer' && verdicts?.isAccepted(sent.scope)) return `token:${sent.scope}`;
  return `address:${facts.address}`;
}

/** What an operation must pass before anything parses it. */
export interface AdmissionOptions {
  /** The callers' operation budget (RATE_LIMIT_PER_MINUTE). */
  rateLimit?: { limiter: RateLimiter; perMinute: number } | undefined;
  /** What Run:ai said of the tokens callers sent: who is a caller of its own for the rate limit. */
  verdicts?: CredentialVerdicts | undefined;
  /** Persisted documents (a manifest, APQ); without them, only documents sent in full run. */
  trustedDocuments?: TrustedDocuments | undefined;
}

/**
 * The checks an operation passes before it is parsed, the same on every
 * transport: the caller's rate limit, and the document it runs (a persisted
 * id resolved, `PERSISTED_ONLY` enforced, an APQ hash checked). HTTP and SSE
 * run them in yoga's request phase ({@link useAdmission}); graphql-ws in
 * `onSubscribe` (src/websocket/graphql-ws-server.ts). Each refusal is an
 * error of the contract, thrown.
 */
export class Admission {
  /**
   * Operations of tokens Run:ai has not accepted yet, charged to their client address meanwhile, by
   * scope: once accepted, a token's own budget starts with them. In this process only (nothing is kept
   * elsewhere of a token Run:ai has not accepted), bounded in entries.
   */
  private readonly unaccepted = new LRUCache<string, number>({ max: 50_000 });

  constructor(private readonly options: AdmissionOptions) {}

  /**
   * Spends one operation of the caller's budget: the client address's
   * until Run:ai has accepted the token, then the token's own
   * (src/http/callers.ts), which starts with what the token already spent
   * of the address's, so that a token never has two budgets. Past it,
   * RATE_LIMITED (429) with `Retry-After`.
   */
  async charge(facts: EdgeFacts): Promise<void> {
    const rateLimit = this.options.rateLimit;
    if (!rateLimit) return;
    const { credentials } = facts;
    const key = rateKeyOf(facts, this.options.verdicts);
    if (credentials.kind === 'bearer') {
      const spent = this.unaccepted.get(credentials.scope);
      if (key.startsWith('address:')) this.unaccepted.set(credentials.scope, (spent ?? 0) + 1);
      else if (spent !== undefined) {
        this.unaccepted.delete(credentials.scope);
        await rateLimit.limiter.penalty(key, spent);
      }
    }
    const verdict = await rateLimit.limiter.consume(key);
    if (!verdict.allowed) this.refuse(rateLimit.perMinute, verdict.retryAfterMs);
  }

  private refuse(perMinute: number, retryAfterMs: number): never {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    throw gatewayError(
      'RATE_LIMITED',
      `Rate limit of ${perMinute} operations per minute reached for these credentials; retry in ${seconds} s.`,
      { extensions: { retryAfterSeconds: seconds }, headers: { 'retry-after': String(seconds) } },
    );
  }

  /** The text of the document a request runs: its query, or the persisted document its id names. */
  documentOf(params: DocumentParams, facts: EdgeFacts): string | null | undefined {
    const documents = this.options.trustedDocuments;
    return documents ? documents.resolve(params, apqNamespaceOf(facts.credentials)) : params.query;
  }

  /**
   * Keeps an APQ document for the caller's next requests, once its operation
   * has parsed, validated and run with credentials that Run:ai accepted
   * (its own calls may have been the proof): nothing is kept for a token
   * Run:ai has not accepted.
   */
  async remember(
    context: Partial<GatewayContext> & { params?: DocumentParams; facts?: EdgeFacts },
  ): Promise<void> {
    const documents = this.options.trustedDocuments;
    if (!documents || context.token === undefined || !context.params || !context.facts) return;
    if (!(await context.credentialsBelieved?.())) return;
    documents.register(context.params, apqNamespaceOf(context.facts.credentials));
  }
}

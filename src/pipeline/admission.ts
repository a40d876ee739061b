import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from '../context.js';
import { rateKeyOf } from '../edge/callers.js';
import type { CredentialVerdicts } from '../edge/credential-verdicts.js';
import type { RateLimiter } from '../edge/rate-limit.js';
import { gatewayError } from './errors.js';
import { apqNamespaceOf, type DocumentParams, type TrustedDocuments } from './trusted-documents.js';
import type { EdgeFacts } from './yoga.js';

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
   * (src/edge/callers.ts), which starts with what the token already spent
   * of the address's, so that a token never has two budgets. Past it,
   * RATE_LIMITED (429) with `Retry-After`.
   */
  async charge(facts: EdgeFacts): Promise<void> {
    const rateLimit = this.options.rateLimit;
    if (!rateLimit) return;
    const { credentials } = facts;
    const key = rateKeyOf(credentials, facts.address, this.options.verdicts);
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

/** What yoga's server context holds for a request: what the edge read of it. */
interface Edge {
  facts?: EdgeFacts;
}

const NO_FACTS: EdgeFacts = { credentials: { kind: 'none' }, address: 'unknown' };

/**
 * The parameters with the `documentId` of a GET's query string: yoga's GET
 * parser reads only the four parameters of GraphQL over HTTP, and the
 * persisted-documents convention sends the id beside them.
 */
function withDocumentIdOf(request: Request, params: DocumentParams): DocumentParams {
  if (request.method !== 'GET' || params.documentId !== undefined) return params;
  const documentId = new URL(request.url, 'http://gateway').searchParams.get('documentId');
  return documentId === null ? params : { ...params, documentId };
}

/**
 * The admission over HTTP and SSE: one charge per HTTP request before its
 * body is read (a batch or a malformed body costs one operation too), then
 * each operation's document resolved before yoga parses it. Every
 * transport's operations register their APQ documents as they run.
 */
export function useAdmission(admission: Admission): Plugin<object, Edge> {
  // Once the operation has run: its calls to Run:ai are what vouch for its token.
  const remember = ({ args }: { args: { contextValue: unknown } }) => {
    const context = args.contextValue as Parameters<Admission['remember']>[0];
    const keep = () => void admission.remember(context);
    return { onExecuteDone: keep, onSubscribeResult: keep };
  };
  return {
    async onRequestParse({ serverContext }) {
      await admission.charge(serverContext.facts ?? NO_FACTS);
    },
    onParams({ params, setParams, context, request }) {
      const facts = (context as Edge).facts ?? NO_FACTS;
      const query = admission.documentOf(withDocumentIdOf(request, params as DocumentParams), facts);
      // Only the four parameters yoga knows go on: `documentId` has been read.
      if (query !== params.query || 'documentId' in params) {
        const { operationName, variables, extensions } = params;
        setParams({ query: query ?? undefined, operationName, variables, extensions });
      }
    },
    onExecute: remember,
    onSubscribe: remember,
  };
}

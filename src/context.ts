import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { ResponseCache } from './cache/response-cache.js';
import { callerOf } from './edge/callers.js';
import type { CredentialVerdicts } from './edge/credential-verdicts.js';
import type { SentCredentials } from './edge/credentials.js';
import type { ChangeKind, LiveUpdates } from './live/live-updates.js';
import { createLoaders, type LoaderOptions, type Loaders } from './loaders/index.js';
import { gatewayError } from './pipeline/errors.js';
import type { Logger } from './telemetry/logger.js';
import { bindNodePoolsApi, type NodePoolsApi } from './upstream/bind-api.js';
import { credentialScope } from './upstream/credential-scope.js';
import { isUpstreamError } from './upstream/errors.js';
import type { UpstreamHttp } from './upstream/http.js';
import type { ServiceTokenSource } from './upstream/service-token.js';

/** Everything a resolver may use for one GraphQL operation. Nothing in it is shared between callers. */
export interface GatewayContext {
  requestId: string;
  /** Whose live budgets the operation spends (src/edge/callers.ts): its own token, or its client address. */
  caller: string;
  /** The caller's bearer token, forwarded to Run:ai. Never logged. */
  token: string | undefined;
  /** Why the credentials the caller sent were refused (no token is then used, not even a fallback). */
  credentialsProblem?: string | undefined;
  /** The Run:ai node-pools API, bound to this caller's credentials and request signal. */
  api: NodePoolsApi;
  /** Calls this request made to Run:ai (logical calls; retries not counted), for the request log. */
  stats: { upstreamCalls: number };
  /** The Run:ai calls this operation may make, predicted before it runs (use-cost-limit.ts) and counted as it runs. */
  callBudget: CallBudget;
  /** Per-request DataLoaders over `api`. */
  loaders: Loaders;
  /** When the operation started: every default time window of the request is computed from it, so equal windows batch together. */
  now: Date;
  /**
   * Tells the live layer and the response cache that a mutation changed this pool: subscribers see it
   * without waiting, and answers that showed it are dropped in every process before it resolves.
   */
  onPoolChanged: (poolId: string, change?: ChangeKind) => Promise<void>;
  /** The credential scope of `token` (its hash): the response cache's session. */
  scope: string | undefined;
  /** What resolvers learnt of how long the answer stays true: the shortest metrics sampling step asked. */
  cacheHints: { metricsStepMs?: number | undefined };
  /** The live layer behind subscriptions. */
  live: LiveUpdates | undefined;
  /**
   * Errors that accompany data (PARTIAL_RESULT): GraphQL gives a field a value or an error, and a
   * metrics answer Run:ai computed in part needs both. The error contract (use-error-contract.ts)
   * takes them into the payload that brings their field.
   */
  partialErrors: GraphQLError[];
  /** SSE's `Last-Event-ID`: a reconnecting EventSource resumes its change feed after it. */
  lastEventId: string | undefined;
  /** The cursor of the change feed event being resolved, for the result (src/edge/use-event-ids.ts). */
  eventCursor?: string | undefined;
  /** The request carried the federation router's secret (ROUTER_SECRET): the subgraph's SDL is its to read. */
  asRouter: boolean;
  /**
   * What a subscription's next live event gets of its own: a clock (default metrics windows end at the
   * event) and fresh loaders (its pools and metrics are read anew); its call budget starts again.
   */
  freshEvent: () => Pick<GatewayContext, 'now' | 'loaders'>;
  /** Whether Run:ai accepted this operation's token lately (the credential verdicts), without asking it. */
  credentialsBelieved: () => Promise<boolean>;
}

/**
 * The Run:ai calls one operation may make: `MAX_UPSTREAM_CALLS`, checked
 * against the prediction before it runs, and against the calls it makes
 * (retries included) as a safety net. A subscription's budget covers its
 * subscribing and the replay of a resume together, then each live event on
 * its own: `made` starts again with each live event.
 */
export interface CallBudget {
  limit: number;
  /** What the cost limit predicted (a subscription: subscribing plus one event), once it has run. */
  predicted?: number | undefined;
  /** A subscription's calls per event (what its payload's selection makes); the rest of `predicted` is subscribing's. */
  perEvent?: number | undefined;
  /** Calls made so far, retries included (a subscription: since it subscribed, or since its live event began). */
  made: number;
}

/** The error of a call past the budget: the prediction was wrong, and the safety net caught it. */
function overBudget(limit: number): Error {
  return gatewayError(
    'QUERY_LIMIT_EXCEEDED',
    `Run:ai call budget of ${limit} exceeded while running: no more calls are made for this operation.`,
  );
}

/** What the edge learnt of one request before any GraphQL: its credentials and where it comes from. */
export interface RequestFacts {
  /** The credentials it sent (`Authorization`, or the `connection_init` payload), read at the edge. */
  credentials: SentCredentials;
  /** Its client address (src/edge/callers.ts), charged while its token is not yet a caller of its own. */
  address: string;
  /** Aborts its Run:ai calls: the client went away, or its operation completed. */
  signal?: AbortSignal | undefined;
  requestId?: string | undefined;
  /** SSE's `Last-Event-ID` header, as sent. */
  lastEventId?: string | undefined;
  /** The request carried the federation router's secret (ROUTER_SECRET), on /subgraph. */
  router?: boolean | undefined;
}

/** What the context factory needs from the running gateway. */
export interface ContextDeps {
  http: UpstreamHttp;
  log: Logger;
  /** The token used when a caller sends none (demo mode only). */
  fallbackToken?: string | undefined;
  loaderOptions?: LoaderOptions;
  /** The live layer: subscriptions and refresh-on-mutation. */
  live?: LiveUpdates | undefined;
  /** Service credentials: a token for callers who send none (RUNAI_CLIENT_ID/SECRET). */
  serviceTokens?: ServiceTokenSource | undefined;
  /** Deadline of one HTTP request, all upstream calls included. */
  requestTimeoutMs?: number | undefined;
  /** The clock that dates each operation (default windows are computed from it); tests freeze it. */
  now?: (() => Date) | undefined;
  /** Run:ai calls one operation may make (MAX_UPSTREAM_CALLS); default unbounded. */
  maxUpstreamCalls?: number | undefined;
  /** What Run:ai said of the tokens callers sent: who counts as a caller of its own, who is refused. */
  verdicts?: CredentialVerdicts | undefined;
  /** The response cache: a mutation drops the answers it made stale. */
  cache?: ResponseCache | undefined;
}

/** Why the credentials a request sent are refused before any call, if they are. */
function problemOf(sent: SentCredentials, verdicts: CredentialVerdicts | undefined): string | undefined {
  if (sent.kind === 'invalid') return sent.problem;
  if (sent.kind === 'bearer' && verdicts?.isRefused(sent.scope)) {
    return 'Run:ai refused this token moments ago (401); send a valid one';
  }
  return undefined;
}

/**
 * Builds the per-operation context, a plain object: the caller's
 * credentials, the Run:ai API bound to them and to the request's signal and
 * deadline, and fresh loaders. A 401 on the service token makes the gateway
 * fetch a new one.
 */
export async function createContext(deps: ContextDeps, facts: RequestFacts): Promise<GatewayContext> {
  const { signal, requestId = randomUUID() } = facts;
  const sent = facts.credentials;
  const credentialsProblem = problemOf(sent, deps.verdicts);
  const own = sent.kind === 'bearer' ? sent.token : undefined;
  const callerToken = credentialsProblem ? undefined : (own ?? deps.fallbackToken);
  const token = credentialsProblem
    ? undefined
    : (callerToken ?? (await deps.serviceTokens?.getToken(signal)));
  const usesServiceToken = callerToken === undefined && token !== undefined;
  // The caller's own token was hashed at the edge; a fallback or service token is hashed here.
  const scope =
    token === undefined
      ? undefined
      : sent.kind === 'bearer' && token === sent.token
        ? sent.scope
        : credentialScope(token);
  const stats = { upstreamCalls: 0 };
  const callBudget: CallBudget = { limit: deps.maxUpstreamCalls ?? Number.POSITIVE_INFINITY, made: 0 };
  // Without a token nothing reaches Run:ai: useRequireCredentials refuses such operations first.
  const api = bindNodePoolsApi({
    http: deps.http,
    token,
    scope,
    signal,
    // Calls stop when the client goes away (signal) or the request's deadline passes.
    deadline: deps.requestTimeoutMs ? Date.now() + deps.requestTimeoutMs : undefined,
    warn: (obj, msg) => deps.log.warn({ ...obj, requestId }, msg),
    onCall: () => {
      stats.upstreamCalls++;
      if (++callBudget.made > callBudget.limit) throw overBudget(callBudget.limit);
    },
    // A retry is a call too: sent only while the budget has room for it.
    onRetry: () => {
      if (callBudget.made >= callBudget.limit) return false;
      callBudget.made++;
      return true;
    },
    onError: usesServiceToken
      ? (error) => {
          if (isUpstreamError(error) && error.code === 'UNAUTHENTICATED')
            deps.serviceTokens?.invalidate(token);
        }
      : undefined,
  });
  return {
    requestId,
    caller: callerOf(sent, facts.address),
    token,
    credentialsProblem,
    api,
    stats,
    callBudget,
    loaders: createLoaders(api, deps.loaderOptions),
    now: deps.now?.() ?? new Date(),
    onPoolChanged: async (poolId, change) => {
      if (!token || !scope) return;
      // Here first, so that this process's next query reads the write; then every other process.
      await deps.cache?.drop({ scope, poolId }, 'mutation');
      await deps.live?.notifyChange(token, poolId, change);
    },
    scope,
    cacheHints: {},
    live: deps.live,
    lastEventId: facts.lastEventId,
    partialErrors: [],
    asRouter: facts.router === true,
    credentialsBelieved: async () => scope !== undefined && (await deps.verdicts?.believes(scope)) === true,
    freshEvent: () => {
      callBudget.made = 0;
      return { now: deps.now?.() ?? new Date(), loaders: createLoaders(api, deps.loaderOptions) };
    },
  };
}

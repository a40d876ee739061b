import { randomUUID } from 'node:crypto';
import type { LiveUpdates } from '../live/live-updates.js';
import type { MutationKind } from '../live/live-updates-types.js';
import { createLoaders, type LoaderOptions } from '../loaders/index.js';
import type { ResolverContext } from '../resolvers/context.js';
import type { Logger } from '../telemetry/logger.js';
import { bindNodePoolsApi } from '../upstream/bind-api.js';
import { credentialScope } from '../upstream/credential-scope.js';
import type { CredentialVerdicts } from '../upstream/credential-verdicts.js';
import { isUpstreamError } from '../upstream/errors.js';
import type { UpstreamHttp } from '../upstream/http.js';
import type { ServiceTokenSource } from '../upstream/service-token.js';
import type { RequestFacts, SentCredentials } from './facts.js';
import { OperationState, type WithState, withState } from './operation-state.js';

/** The context of one GraphQL operation: what resolvers see, and the pipeline's state under its symbol. */
export type GatewayContext = ResolverContext & WithState;

/** What the context factory needs from the running gateway. */
/** The deadline of one GraphQL request over HTTP by default, all its Run:ai calls included (a tuning knob). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

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
  /** Run:ai calls one operation may make (maxUpstreamCalls); default unbounded. */
  maxUpstreamCalls?: number | undefined;
  /** What Run:ai said of the tokens callers sent: who counts as a caller of its own, who is refused. */
  verdicts?: CredentialVerdicts | undefined;
  /** Drops the kept answers a mutation made stale (the response cache), in this process then every other. */
  dropAnswers?: ((change: { scope: string; poolId: string }) => Promise<unknown>) | undefined;
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
 * The caller whose live budgets an operation spends (subscriptions,
 * pollers, queued bytes): its own token's scope, or, for a caller on
 * ambient credentials (demo mode, service credentials), its client address.
 * An invented token holds nothing: a change feed shows Run:ai its token
 * before it subscribes.
 */
function callerOf(sent: SentCredentials, address: string): string {
  return sent.kind === 'bearer' ? `token:${sent.scope}` : `address:${address}`;
}

/**
 * Builds the per-operation context, a plain object: the caller's
 * credentials, the Run:ai API bound to them and to the request's signal and
 * deadline, fresh loaders, and the operation's state for the pipeline. A
 * 401 on the service token makes the gateway fetch a new one.
 */
export async function createContext(deps: ContextDeps, facts: RequestFacts): Promise<GatewayContext> {
  const { signal, requestId = randomUUID() } = facts;
  const sent = facts.credentials;
  const state = new OperationState(
    deps.maxUpstreamCalls ?? Number.POSITIVE_INFINITY,
    problemOf(sent, deps.verdicts),
  );
  const own = sent.kind === 'bearer' ? sent.token : undefined;
  const callerToken = state.credentialsProblem ? undefined : (own ?? deps.fallbackToken);
  const token = state.credentialsProblem
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
      state.upstreamCalls++;
      state.budget.spend();
    },
    onRetry: () => state.budget.retry(),
    onError: usesServiceToken
      ? (error) => {
          if (isUpstreamError(error) && error.code === 'UNAUTHENTICATED')
            deps.serviceTokens?.invalidate(token);
        }
      : undefined,
  });
  const context: ResolverContext = {
    requestId,
    caller: callerOf(sent, facts.address),
    token,
    scope,
    api,
    loaders: createLoaders(api, deps.loaderOptions),
    now: deps.now?.() ?? new Date(),
    live: deps.live,
    lastEventId: facts.lastEventId,
    asRouter: facts.router === true,
    report: state,
    callBudget: state.budget,
    credentialsBelieved: async () => scope !== undefined && (await deps.verdicts?.believes(scope)) === true,
    onPoolChanged: async (poolId: string, change?: MutationKind) => {
      if (!token || !scope) return;
      // Here first, so that this process's next query reads the write; then every other process.
      await deps.dropAnswers?.({ scope, poolId });
      await deps.live?.notifyChange(token, poolId, change);
    },
    // A method, not an arrow: yoga copies the context's fields onto its own object, whose fields it renews.
    beginEvent(this: ResolverContext) {
      this.now = deps.now?.() ?? new Date();
      this.loaders = createLoaders(api, deps.loaderOptions);
      state.budget.made = 0;
    },
  };
  return withState(context, state);
}

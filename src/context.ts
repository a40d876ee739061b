import { randomUUID } from 'node:crypto';
import type { FieldNode } from 'graphql';
import { bearerToken, MAX_TOKEN_LENGTH } from './credentials.js';
import type { ChangeKind, LiveUpdates } from './live/live-updates.js';
import { createLoaders, type LoaderOptions, type Loaders } from './loaders/index.js';
import type { Logger } from './logger.js';
import { bindNodePoolsApi, type NodePoolsApi } from './upstream/bind-api.js';
import { isUpstreamError } from './upstream/errors.js';
import type { UpstreamHttp } from './upstream/http.js';
import type { ServiceTokenSource } from './upstream/service-token.js';

/** Everything a resolver may use for one GraphQL operation. Nothing in it is shared between callers. */
export interface GatewayContext {
  requestId: string;
  /** The caller's bearer token, forwarded to Run:ai. Never logged. */
  token: string | undefined;
  /** Why the credentials the caller sent were refused (no token is then used, not even a fallback). */
  credentialsProblem?: string | undefined;
  /** The Run:ai node-pools API, bound to this caller's credentials and request signal. */
  api: NodePoolsApi;
  /** Calls this request made to Run:ai (logical calls; retries not counted), for the request log. */
  stats: { upstreamCalls: number };
  /** Per-request DataLoaders over `api`. */
  loaders: Loaders;
  /** When the operation started: every default time window of the request is computed from it, so equal windows batch together. */
  now: Date;
  /** Tells the live layer that a mutation changed this pool, so subscribers see it without waiting. */
  onPoolChanged: (poolId: string, change?: ChangeKind) => void;
  /** The live layer behind subscriptions. */
  live: LiveUpdates | undefined;
  /** Errors that accompany data (e.g. PARTIAL_RESULT): appended to the response's `errors` after execution. */
  deferredErrors: Error[];
  /** Root mutation fields whose input the argument rules refused, with the refusal each reports. */
  refusedMutations?: ReadonlyMap<FieldNode, Error>;
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
}

/**
 * Builds the per-operation context, a plain object: the caller's
 * credentials, the Run:ai API bound to them and to the request's signal and
 * deadline, and fresh loaders. A 401 on the service token makes the gateway
 * fetch a new one.
 */
export async function createContext(
  deps: ContextDeps,
  authorization: string | null | undefined,
  signal?: AbortSignal,
  requestId: string = randomUUID(),
): Promise<GatewayContext> {
  const sent = bearerToken(authorization);
  const credentialsProblem =
    sent !== undefined && sent.length > MAX_TOKEN_LENGTH
      ? `the bearer token is longer than ${MAX_TOKEN_LENGTH} characters`
      : undefined;
  const callerToken = credentialsProblem ? undefined : (sent ?? deps.fallbackToken);
  const token = credentialsProblem
    ? undefined
    : (callerToken ?? (await deps.serviceTokens?.getToken(signal)));
  const usesServiceToken = callerToken === undefined && token !== undefined;
  const stats = { upstreamCalls: 0 };
  // Without a token nothing reaches Run:ai: useRequireCredentials refuses such operations first.
  const api = bindNodePoolsApi({
    http: deps.http,
    token,
    signal,
    // Calls stop when the client goes away (signal) or the request's deadline passes.
    deadline: deps.requestTimeoutMs ? Date.now() + deps.requestTimeoutMs : undefined,
    warn: (obj, msg) => deps.log.warn({ ...obj, requestId }, msg),
    onCall: () => {
      stats.upstreamCalls++;
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
    token,
    credentialsProblem,
    api,
    stats,
    loaders: createLoaders(api, deps.loaderOptions),
    now: deps.now?.() ?? new Date(),
    onPoolChanged: (poolId, change) => {
      if (token) deps.live?.notifyChange(token, poolId, change);
    },
    live: deps.live,
    deferredErrors: [],
  };
}

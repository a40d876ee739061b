import { randomUUID } from 'node:crypto';
import type { FieldNode } from 'graphql';
import { bearerToken, MAX_TOKEN_LENGTH } from './credentials.js';
import type { ChangeKind, LiveUpdates } from './live/live-updates.js';
import type { Logger } from './logger.js';
import { isUpstreamError } from './upstream/errors.js';
import type { UpstreamHttp } from './upstream/http.js';
import { createLoaders, type LoaderOptions, type Loaders } from './upstream/loaders.js';
import { bindNodePoolsApi, type NodePoolsApi } from './upstream/nodepools-api.js';
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
 * The same API, counting its calls for the request log, and reporting
 * failures (a 401 on the service token makes the gateway fetch a new one).
 */
function instrumentedApi(
  api: NodePoolsApi,
  stats: { upstreamCalls: number },
  onError?: (error: unknown) => void,
): NodePoolsApi {
  const wrapped: Record<string, unknown> = {};
  // The call's own promise is returned as is (no extra async layer per call: a dashboard makes 52).
  const observe = onError
    ? (call: Promise<unknown>) =>
        call.catch((error: unknown) => {
          onError(error);
          throw error;
        })
    : (call: Promise<unknown>) => call;
  for (const [name, fn] of Object.entries(api)) {
    wrapped[name] = (...args: unknown[]) => {
      stats.upstreamCalls++;
      return observe((fn as (...a: unknown[]) => Promise<unknown>)(...args));
    };
  }
  return wrapped as NodePoolsApi;
}

/**
 * Builds the per-operation context: resolves the caller's credentials and
 * binds the Run:ai API to them and to the request's abort signal.
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
  // Calls stop when the client goes away (signal) or the request's deadline passes.
  const deadline = deps.requestTimeoutMs ? Date.now() + deps.requestTimeoutMs : undefined;
  const stats = { upstreamCalls: 0 };
  // The API, its loaders and the child logger (for the API's warnings) are built on first use:
  // a subscription or an introspection query never needs them, and they are most of a context's cost.
  let log: Logger | undefined;
  let api: NodePoolsApi | undefined;
  let loaders: Loaders | undefined;
  const logger = () => {
    log ??= deps.log.child({ requestId });
    return log;
  };
  // Without a token nothing reaches Run:ai: useRequireCredentials refuses such operations first.
  const buildApi = (): NodePoolsApi => {
    const bound = bindNodePoolsApi({
      http: deps.http,
      token,
      signal,
      ...(deadline ? { deadline } : {}),
      warn: (obj: object, msg: string) => logger().warn(obj, msg),
    });
    const onError = usesServiceToken
      ? (error: unknown) => {
          if (isUpstreamError(error) && error.code === 'UNAUTHENTICATED')
            deps.serviceTokens?.invalidate(token);
        }
      : undefined;
    return instrumentedApi(bound, stats, onError);
  };
  return {
    requestId,
    token,
    credentialsProblem,
    get api() {
      api ??= buildApi();
      return api;
    },
    stats,
    get loaders() {
      api ??= buildApi();
      loaders ??= createLoaders(api, deps.loaderOptions);
      return loaders;
    },
    now: deps.now?.() ?? new Date(),
    onPoolChanged: (poolId, change) => {
      if (token) deps.live?.notifyChange(token, poolId, change);
    },
    live: deps.live,
    deferredErrors: [],
  };
}

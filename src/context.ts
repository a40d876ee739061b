import { randomUUID } from 'node:crypto';
import { createGraphQLError } from 'graphql-yoga';
import { bearerToken, credentialScope } from './credentials.js';
import type { ChangeKind, LiveUpdates } from './live/live-updates.js';
import type { Logger } from './logger.js';
import type { UpstreamHttp } from './upstream/http.js';
import { createLoaders, type LoaderOptions, type Loaders } from './upstream/loaders.js';
import { bindNodePoolsApi, type NodePoolsApi } from './upstream/nodepools-api.js';

/** Everything a resolver may use for one GraphQL operation. Nothing in it is shared between callers. */
export interface GatewayContext {
  requestId: string;
  /** The caller's bearer token, forwarded to Run:ai. Never logged. */
  token: string | undefined;
  /** A hash of the token: the key that scopes caches and pollers to one caller identity. */
  scope: string;
  /** The Run:ai node-pools API, bound to this caller's credentials and request signal. */
  api: NodePoolsApi;
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
  log: Logger;
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
}

const unauthenticated = () =>
  createGraphQLError('No credentials: send `Authorization: Bearer <token>` with a Run:ai token.', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });

/** An API whose every call fails with UNAUTHENTICATED before reaching Run:ai. */
function anonymousApi(): NodePoolsApi {
  return new Proxy({} as NodePoolsApi, {
    get: () => () => Promise.reject(unauthenticated()),
  });
}

/**
 * Builds the per-operation context: resolves the caller's credentials and
 * binds the Run:ai API to them and to the request's abort signal.
 */
export function createContext(
  deps: ContextDeps,
  authorization: string | null | undefined,
  signal?: AbortSignal,
): GatewayContext {
  const token = bearerToken(authorization) ?? deps.fallbackToken;
  const requestId = randomUUID();
  const log = deps.log.child({ requestId });
  const api = token
    ? bindNodePoolsApi({
        http: deps.http,
        token,
        ...(signal ? { signal } : {}),
        warn: (obj: object, msg: string) => log.warn(obj, msg),
      })
    : anonymousApi();
  return {
    requestId,
    token,
    scope: credentialScope(token),
    api,
    loaders: createLoaders(api, deps.loaderOptions),
    now: new Date(),
    onPoolChanged: (poolId, change) => {
      if (token) deps.live?.notifyChange(token, poolId, change);
    },
    live: deps.live,
    deferredErrors: [],
    log,
  };
}

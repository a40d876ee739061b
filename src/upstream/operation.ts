/**
 * What every typed Run:ai operation (nodepools-api.ts, legacy-api.ts) is
 * made of: the caller's {@link CallContext} comes first, so credentials and
 * cancellation flow explicitly per request, and {@link call} sends one
 * logical call through the transport (http.ts). bind-api.ts binds every
 * exported operation to one caller.
 */
import type { HttpMethod, QueryValue, UpstreamResponse } from './call.js';
import type { UpstreamHttp } from './http.js';
import type { WarnFn } from './models.js';

/**
 * Makes `overProvisioningRatio` optional: the generator marks it required only
 * because the spec gives it a default, which Run:ai applies when it is absent.
 */
export type WithOptionalRatio<T extends { overProvisioningRatio: unknown }> = Omit<
  T,
  'overProvisioningRatio'
> & {
  overProvisioningRatio?: T['overProvisioningRatio'];
};

/** Per-request context: the transport, the caller's credentials and cancellation. */
export interface CallContext {
  http: UpstreamHttp;
  /** The caller's Run:ai bearer token; without one Run:ai answers 401. */
  token: string | undefined;
  /** The token's scope, when the caller already hashed it (credential-scope.ts); else the transport does. */
  scope?: string | undefined;
  /** Aborts the call (e.g. the GraphQL client went away). */
  signal?: AbortSignal | undefined;
  /** Receives warnings about tolerated oddities in Run:ai's answers; defaults to the transport's logger. */
  warn?: WarnFn | undefined;
  /** Absolute deadline (epoch ms) that may shorten the configured total timeout. */
  deadline?: number | undefined;
  /** Told of every call made (one per logical call; retries are the transport's). */
  onCall?: (() => void) | undefined;
  /** Told of every call that failed, before its error reaches the caller. */
  onError?: ((error: unknown) => void) | undefined;
}

export interface CallSpec {
  operation: string;
  method: HttpMethod;
  /** The spec's path template, e.g. `/api/v1/node-pools/{nodepoolId}` (traces name calls by it). */
  route: string;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  accept?: string;
  /** Hand a 2xx body over unread, as a stream. */
  stream?: boolean;
}

export function call(ctx: CallContext, spec: CallSpec): Promise<UpstreamResponse> {
  ctx.onCall?.();
  const answer = ctx.http.request({
    ...spec,
    token: ctx.token,
    scope: ctx.scope,
    signal: ctx.signal,
    deadline: ctx.deadline,
  });
  const { onError } = ctx;
  return onError
    ? answer.catch((error: unknown) => {
        onError(error);
        throw error;
      })
    : answer;
}

export function warnOf(ctx: CallContext): WarnFn {
  return ctx.warn ?? ((obj, msg) => ctx.http.logger?.warn(obj, msg));
}

export const seg = (value: string | number): string => encodeURIComponent(String(value));

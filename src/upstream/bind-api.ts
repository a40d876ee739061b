/**
 * The Run:ai node-pools API bound to one caller: what a GraphQL request's
 * context holds as `api`. Every function legacy-api.ts and nodepools-api.ts
 * export is an operation taking a {@link CallContext} first; each is bound
 * here without being listed.
 */

import type { CallContext } from './http.js';
import * as legacy from './legacy-api.js';
import * as current from './nodepools-api.js';

const OPERATIONS = { ...current, ...legacy };
type Operations = typeof OPERATIONS;

/** Removes the leading context parameter of an operation. */
type Bound<F> = F extends (ctx: CallContext, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The node-pools API bound to one caller's context. */
export type NodePoolsApi = { readonly [K in keyof Operations]: Bound<Operations[K]> };

type Operation = (ctx: CallContext, ...args: unknown[]) => unknown;
const ENTRIES = Object.entries(OPERATIONS) as [keyof Operations, Operation][];

/**
 * Binds every operation to `ctx`. The GraphQL layer builds one per request,
 * so credentials and the abort signal never leak between callers.
 */
export function bindNodePoolsApi(ctx: CallContext): NodePoolsApi {
  const api: Record<string, unknown> = {};
  for (const [name, operation] of ENTRIES) api[name] = (...args: unknown[]) => operation(ctx, ...args);
  return api as NodePoolsApi;
}

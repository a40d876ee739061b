/**
 * The Run:ai node-pools API bound to one caller: what a GraphQL request's
 * context holds as `api`.
 */
import {
  legacyCreateNodePool,
  legacyDeleteNodePool,
  legacyListNodePools,
  legacyUpdateNodePool,
  legacyUpdateNodePoolLabels,
} from './legacy-api.js';
import {
  type CallContext,
  countNodePools,
  createNodePool,
  deleteNodePool,
  getNodePool,
  getNodePoolMetrics,
  getNodePoolMetricsCsv,
  listNodePools,
  patchNodePool,
  updateNodePool,
} from './nodepools-api.js';

/** Removes the leading context parameter of an API function. */
type Bound<F> = F extends (ctx: CallContext, ...args: infer A) => infer R ? (...args: A) => R : never;

const API = {
  listNodePools,
  countNodePools,
  getNodePool,
  createNodePool,
  updateNodePool,
  patchNodePool,
  deleteNodePool,
  getNodePoolMetrics,
  getNodePoolMetricsCsv,
  legacyListNodePools,
  legacyCreateNodePool,
  legacyUpdateNodePool,
  legacyUpdateNodePoolLabels,
  legacyDeleteNodePool,
} as const;

/** The node-pools API bound to one caller's context. */
export type NodePoolsApi = { readonly [K in keyof typeof API]: Bound<(typeof API)[K]> };

/**
 * Binds every API function to `ctx`. The GraphQL layer builds one per
 * request, so credentials and the abort signal never leak between callers.
 */
export function bindNodePoolsApi(ctx: CallContext): NodePoolsApi {
  return {
    listNodePools: (params) => listNodePools(ctx, params),
    countNodePools: (params) => countNodePools(ctx, params),
    getNodePool: (id) => getNodePool(ctx, id),
    createNodePool: (body) => createNodePool(ctx, body),
    updateNodePool: (id, body) => updateNodePool(ctx, id, body),
    patchNodePool: (id, body) => patchNodePool(ctx, id, body),
    deleteNodePool: (id) => deleteNodePool(ctx, id),
    getNodePoolMetrics: (params) => getNodePoolMetrics(ctx, params),
    getNodePoolMetricsCsv: (params) => getNodePoolMetricsCsv(ctx, params),
    legacyListNodePools: (clusterId) => legacyListNodePools(ctx, clusterId),
    legacyCreateNodePool: (clusterId, body) => legacyCreateNodePool(ctx, clusterId, body),
    legacyUpdateNodePool: (clusterId, id, body) => legacyUpdateNodePool(ctx, clusterId, id, body),
    legacyUpdateNodePoolLabels: (clusterId, id, body) => legacyUpdateNodePoolLabels(ctx, clusterId, id, body),
    legacyDeleteNodePool: (clusterId, id) => legacyDeleteNodePool(ctx, clusterId, id),
  };
}

import { gatewayError } from '../domain/errors.js';
import type { LegacyNodePool, NodePool } from '../upstream/models.js';
import type { ResolverContext } from './context.js';

/** How many pools `legacyNodePools` returns unless `first` says otherwise; at most 500 may be asked. */
export const LEGACY_DEFAULT_FIRST = 100;
export const LEGACY_MAX_FIRST = 500;

/**
 * Resolves `legacyNodePools`: the first `first` pools of the cluster, as
 * the deprecated `GET /v1/k8s/clusters/{clusterId}/node-pools` lists them
 * (it does not page). The list is priced by `first`, so that what each pool
 * costs below it is known before the call; a cluster with more pools is
 * cut there, with a PARTIAL_RESULT error at `path()` saying so.
 */
export async function listLegacyNodePools(
  clusterId: string,
  first: number,
  ctx: ResolverContext,
  path: () => readonly (string | number)[],
): Promise<LegacyNodePool[]> {
  const pools = await ctx.api.legacyListNodePools(clusterId);
  if (pools.length <= first) return pools;
  ctx.report.partialResult(
    gatewayError(
      'PARTIAL_RESULT',
      `The cluster holds ${pools.length} node pools; the first ${first} are returned. Ask for more with \`first\` (at most ${LEGACY_MAX_FIRST}), or page with nodePools(filter: { clusterId: { eq: … } }).`,
      { path: path(), extensions: { returned: first, total: pools.length } },
    ),
  );
  return pools.slice(0, first);
}

/** The current-API view of a legacy pool (same id). Calls `GET /api/v1/node-pools/{id}` unless already loaded. */
export function currentNodePool(pool: LegacyNodePool, ctx: ResolverContext): Promise<NodePool | null> {
  return ctx.loaders.nodePoolById.load(String(pool.id));
}

import type { GatewayContext } from '../context.js';
import type { LegacyNodePool, NodePool } from '../upstream/models.js';

/** Resolves `legacyNodePools`. Calls the deprecated `GET /v1/k8s/clusters/{clusterId}/node-pools`. */
export function listLegacyNodePools(clusterId: string, ctx: GatewayContext): Promise<LegacyNodePool[]> {
  return ctx.api.legacyListNodePools(clusterId);
}

/** The current-API view of a legacy pool (same id). Calls `GET /api/v1/node-pools/{id}` unless already loaded. */
export function currentNodePool(pool: LegacyNodePool, ctx: GatewayContext): Promise<NodePool | null> {
  return ctx.loaders.nodePoolById.load(String(pool.id));
}

import { nodePoolIdProblem, parseNodePoolId } from '../domain/ids.js';
import { LIMITS } from '../domain/limits.js';
import type { NodePool } from '../upstream/models.js';
import type { ResolverContext } from './context.js';

/** What a router sends for a NodePool: one of its keys. */
export type PoolReference = { id?: unknown; clusterId?: unknown; name?: unknown };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A Kubernetes name (a DNS label): what Run:ai accepts as a pool name. */
const NAME = new RegExp(`^[a-z0-9]([-a-z0-9]{0,${LIMITS.name - 2}}[a-z0-9])?$`);

/**
 * Resolves a NodePool reference of the supergraph (`_entities`) through the
 * request's loaders, so that references cost what `nodes(ids:)` costs: a
 * pool the request already listed costs nothing; by id, a GET each for a
 * few (`GET /api/v1/node-pools/{id}`) or one list call for many
 * (`GET /api/v1/node-pools`); by cluster and name, a filtered list call
 * each for a few, one list call for many. A reference that cannot name a
 * pool of this gateway is null without a call.
 */
export function resolvePoolReference(
  reference: PoolReference,
  ctx: ResolverContext,
): Promise<NodePool | null> | null {
  const { id, clusterId, name } = reference;
  if (typeof id === 'string') {
    return nodePoolIdProblem(id) === undefined ? ctx.loaders.nodePoolById.load(parseNodePoolId(id)) : null;
  }
  if (typeof clusterId === 'string' && typeof name === 'string' && UUID.test(clusterId) && NAME.test(name)) {
    return ctx.loaders.nodePoolByName.load({ clusterId, name });
  }
  return null;
}

/** The Run:ai calls `_entities` may make for these references, predicted like `nodes(ids:)`'s. */
export function referenceCalls(
  references: readonly PoolReference[],
  byIds: (ids: readonly unknown[]) => number,
): number {
  const ids = references.filter((r) => r.id !== undefined).map((r) => r.id);
  const names = references.length - ids.length;
  return byIds(ids) + byIds(Array.from({ length: names }, (_, i) => String(i + 1)));
}

/**
 * Serves `_service { sdl }`, the subgraph's schema: to the federation
 * router's secret, or to a token Run:ai accepts. A token no verdict vouches
 * for is shown to Run:ai first (`GET /api/v1/node-pools/count`): an
 * invented one gets UNAUTHENTICATED, never the schema.
 */
export async function serviceSdl<T>(ctx: ResolverContext, sdl: () => T): Promise<T> {
  if (!ctx.asRouter && !(await ctx.credentialsBelieved())) await ctx.api.countNodePools();
  return sdl();
}

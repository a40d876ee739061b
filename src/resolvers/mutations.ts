import { InputValidationError } from '../domain/errors.js';
import { parseNodePoolId } from '../domain/ids.js';
import type { MutationKind } from '../live/live-updates-types.js';
import type { LegacyNodePoolCreateBody, LegacyNodePoolUpdateBody } from '../upstream/legacy-api.js';
import type { LegacyNodePool, NodePool } from '../upstream/models.js';
import type { NodePoolCreateBody, NodePoolUpdateBody } from '../upstream/nodepools-api.js';
import type { ResolverContext } from './context.js';
import { asMutationError, NotFoundError } from './errors.js';

/** A GraphQL input object: omitted fields are absent keys, explicit nulls are null. */
type Input = Record<string, unknown>;

/**
 * Copies the fields the caller gave, dropping absent ones and keeping
 * explicit nulls, so a PATCH sends exactly what was asked ("null clears").
 */
export function givenFields<T>(input: Input): T {
  const body: Input = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    body[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? givenFields(value as Input)
        : value;
  }
  return body as T;
}

async function run<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    throw asMutationError(error);
  }
}

/**
 * Makes the rest of the request, the live layer and the response cache see
 * the pool's new state: the mutation answers once every answer that showed
 * the pool is dropped, so the caller's next query reads its write.
 */
async function changed(ctx: ResolverContext, pool: NodePool, change: MutationKind): Promise<NodePool> {
  ctx.loaders.remember(pool);
  await ctx.onPoolChanged(pool.id, change);
  return pool;
}

/** Resolves `createNodePool`. Calls `POST /api/v1/node-pools` (never retried). */
export async function createNodePool(input: Input, ctx: ResolverContext) {
  const pool = await run(() => ctx.api.createNodePool(givenFields<NodePoolCreateBody>(input)));
  return { nodePool: await changed(ctx, pool, 'created') };
}

/** Resolves `updateNodePool`: replaces every updatable field. Calls `PUT /api/v1/node-pools/{id}`. */
export async function updateNodePool(id: string, input: Input, ctx: ResolverContext) {
  const runaiId = parseNodePoolId(id);
  const pool = await run(() => ctx.api.updateNodePool(runaiId, givenFields<NodePoolUpdateBody>(input)));
  return { nodePool: await changed(ctx, pool, 'updated') };
}

/** Resolves `patchNodePool`: sends only the fields given. Calls `PATCH /api/v1/node-pools/{id}`. */
export async function patchNodePool(id: string, input: Input, ctx: ResolverContext) {
  const runaiId = parseNodePoolId(id);
  const body = givenFields<Partial<NodePoolUpdateBody>>(input);
  const pool = await run(() => ctx.api.patchNodePool(runaiId, body));
  return { nodePool: await changed(ctx, pool, 'updated') };
}

/**
 * Resolves `deleteNodePool`. Reads the pool first (`GET /api/v1/node-pools/{id}`,
 * free when the request already loaded it): an unknown pool is a NotFoundError
 * and the cluster's default pool is refused without asking Run:ai to delete
 * it. Then calls `DELETE /api/v1/node-pools/{id}` and returns the pool's last
 * known state.
 */
export async function deleteNodePool(id: string, ctx: ResolverContext) {
  const runaiId = parseNodePoolId(id);
  const pool = await run(() => ctx.loaders.nodePoolById.load(runaiId));
  if (!pool) throw new NotFoundError(`No node pool with id ${runaiId} is visible to you.`);
  if (pool.isDefault) {
    throw new InputValidationError([
      {
        path: 'id',
        message: `${pool.name} is the default node pool of cluster ${pool.clusterName}: it holds every node no other pool matches and cannot be deleted`,
      },
    ]);
  }
  const result = await run(() => ctx.api.deleteNodePool(runaiId));
  await ctx.onPoolChanged(runaiId, 'deleted');
  return { accepted: true, status: result.status, nodePool: pool };
}

/** A legacy change was accepted (202, no body): forget what the request knew of the pool, and tell the live layer. */
async function acceptedChange(ctx: ResolverContext, id: number, change: MutationKind = 'updated') {
  ctx.loaders.nodePoolById.clear(String(id));
  await ctx.onPoolChanged(String(id), change);
  return { accepted: true };
}

/** Resolves `legacyCreateNodePool`. Calls the deprecated `POST /v1/k8s/clusters/{clusterId}/node-pools`. */
export async function legacyCreateNodePool(
  clusterId: string,
  input: Input,
  ctx: ResolverContext,
): Promise<{ nodePool: LegacyNodePool | null }> {
  const pool = await run(() =>
    ctx.api.legacyCreateNodePool(clusterId, givenFields<LegacyNodePoolCreateBody>(input)),
  );
  if (pool) await ctx.onPoolChanged(String(pool.id), 'created');
  return { nodePool: pool };
}

/** Resolves `legacyUpdateNodePool`. Calls the deprecated `PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}`. */
export async function legacyUpdateNodePool(
  clusterId: string,
  id: number,
  input: Input,
  ctx: ResolverContext,
) {
  await run(() => ctx.api.legacyUpdateNodePool(clusterId, id, givenFields<LegacyNodePoolUpdateBody>(input)));
  return acceptedChange(ctx, id);
}

/** Resolves `legacyUpdateNodePoolLabels`. Calls the deprecated `PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}/labels`. */
export async function legacyUpdateNodePoolLabels(
  clusterId: string,
  id: number,
  labels: { labelKey: string; labelValue: string },
  ctx: ResolverContext,
) {
  await run(() => ctx.api.legacyUpdateNodePoolLabels(clusterId, id, labels));
  return acceptedChange(ctx, id);
}

/** Resolves `legacyDeleteNodePool`. Calls the deprecated `DELETE /v1/k8s/clusters/{clusterId}/node-pools/{id}`. */
export async function legacyDeleteNodePool(clusterId: string, id: number, ctx: ResolverContext) {
  await run(() => ctx.api.legacyDeleteNodePool(clusterId, id));
  return acceptedChange(ctx, id, 'deleted');
}

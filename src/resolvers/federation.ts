import type { GatewayContext } from '../context.js';
import type { NodePool } from '../upstream/models.js';
import { nodePoolIdProblem, parseNodePoolId } from './ids.js';

/**
 * Resolves a NodePool reference of the supergraph (`_entities`) through the
 * request's id loader: a pool the request already listed costs nothing,
 * several unknown ones cost one list call instead of a GET each
 * (`GET /api/v1/node-pools`, else `GET /api/v1/node-pools/{id}`), as
 * `nodes(ids:)` does. An id that names no pool of this gateway is null
 * without a call.
 */
export function resolvePoolReference(id: unknown, ctx: GatewayContext): Promise<NodePool | null> | null {
  if (typeof id !== 'string' || nodePoolIdProblem(id) !== undefined) return null;
  return ctx.loaders.nodePoolById.load(parseNodePoolId(id));
}

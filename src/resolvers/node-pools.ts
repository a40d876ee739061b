import { cursorToOffset, offsetToCursor } from '@pothos/plugin-relay';
import type { GatewayContext } from '../context.js';
import type { NodePool } from '../upstream/models.js';

/** Run:ai answers at most this many pools per list call. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

export interface NodePoolPageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

export interface NodePoolPage {
  edges: { cursor: string; node: NodePool }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/**
 * One page of node pools under offset cursors. Asks Run:ai for one pool more
 * than requested so that `hasNextPage` costs no extra call.
 * Calls `GET /api/v1/node-pools`.
 */
export async function listNodePools(args: NodePoolPageArgs, ctx: GatewayContext): Promise<NodePoolPage> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  const offset = args.after ? cursorToOffset(args.after) + 1 : 0;
  const limit = Math.min(first + 1, MAX_PAGE_SIZE);
  const pools = first === 0 ? [] : await ctx.api.listNodePools({ offset, limit });
  const page = pools.slice(0, first);
  const edges = page.map((node, i) => ({ cursor: offsetToCursor(offset + i), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: pools.length > first || (limit === first && pools.length === first),
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

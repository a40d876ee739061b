import { cursorAt, cursorOffset } from '../domain/cursors.js';
import { parseNodePoolId } from '../domain/ids.js';
import { LIST_INSTEAD_OF_GETS_ABOVE, type PageKey } from '../loaders/index.js';
import { encodeFilterBy, type NodePoolFilterSpec } from '../upstream/filter.js';
import type { NodePool, SortField, SortOrder } from '../upstream/models.js';
import type { ResolverContext } from './context.js';

/** Run:ai answers at most this many pools per list call. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

/** The GraphQL filter input, as the schema delivers it. */
export interface NodePoolFilterInput {
  name?: StringConditions | null;
  clusterId?: { eq?: string | null; ne?: string | null } | null;
  phase?: { eq?: string | null; ne?: string | null } | null;
  createdAt?: DateConditions | null;
  updatedAt?: DateConditions | null;
  gpuNetworkAccelerationDetection?: { eq?: string | null; ne?: string | null } | null;
  gpuNetworkAccelerationLabelKey?: StringConditions | null;
  gpuNetworkAccelerationDetected?: boolean | null;
  swapEnabled?: boolean | null;
  nodeLevelSchedulerEnabled?: boolean | null;
}
type StringConditions = Partial<
  Record<'eq' | 'ne' | 'contains' | 'notContains' | 'startsWith' | 'endsWith', string | null>
>;
type DateConditions = Partial<Record<'eq' | 'ne' | 'gte' | 'lte', Date | null>>;

export interface NodePoolOrderInput {
  field: SortField;
  direction?: SortOrder | null;
}

export interface NodePoolConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  filter?: NodePoolFilterInput | null | undefined;
  orderBy?: NodePoolOrderInput | null | undefined;
}

export interface NodePoolEdge {
  cursor: string;
  node: NodePool;
}
export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/**
 * A connection whose parts are fetched only when selected (its properties
 * are lazy getters): `edges` and `pageInfo` share one list call,
 * `totalCount` one count call, and both start in the same tick, so they run
 * concurrently.
 */
export interface NodePoolConnection {
  readonly edges: Promise<NodePoolEdge[]>;
  readonly pageInfo: Promise<PageInfo>;
  readonly totalCount: Promise<number>;
}

const BOOLEAN_FIELDS = [
  'gpuNetworkAccelerationDetected',
  'swapEnabled',
  'nodeLevelSchedulerEnabled',
] as const;

/** Translates the typed GraphQL filter into Run:ai `filterBy` strings (the argument rules refused commas). */
export function filterByFor(filter: NodePoolFilterInput | null | undefined): string[] {
  if (!filter) return [];
  const spec: NodePoolFilterSpec = {
    name: filter.name ?? undefined,
    clusterId: filter.clusterId ?? undefined,
    phase: filter.phase ?? undefined,
    createdAt: filter.createdAt ?? undefined,
    updatedAt: filter.updatedAt ?? undefined,
    gpuNetworkAccelerationDetection: filter.gpuNetworkAccelerationDetection ?? undefined,
    gpuNetworkAccelerationLabelKey: filter.gpuNetworkAccelerationLabelKey ?? undefined,
  };
  for (const field of BOOLEAN_FIELDS) {
    const value = filter[field];
    if (value !== null && value !== undefined) spec[field] = { eq: value };
  }
  return encodeFilterBy(spec);
}

/**
 * The offset window a set of Relay arguments asks for; `total` is needed only
 * for `last` without `before`. The argument rules have checked the cursors.
 */
export function pageWindow(
  args: NodePoolConnectionArgs,
  total: number | undefined,
): { offset: number; limit: number; needsCount: boolean } {
  const after = args.after ? (cursorOffset(args.after) ?? 0) + 1 : 0;
  const before = args.before ? cursorOffset(args.before) : undefined;
  if (args.last !== null && args.last !== undefined) {
    const end = before ?? total;
    if (end === undefined) return { offset: 0, limit: 0, needsCount: true };
    const offset = Math.max(after, end - args.last);
    return { offset, limit: Math.max(0, end - offset), needsCount: false };
  }
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  const end = before === undefined ? after + first : Math.min(before, after + first);
  return { offset: after, limit: Math.max(0, end - after), needsCount: false };
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= fn();
    return promise;
  };
}

/**
 * Resolves `nodePools`: one page under opaque offset cursors. The list asks
 * for one pool more than the page so that `hasNextPage` needs no extra call;
 * only a 500-pool page (Run:ai's maximum) or `last` without `before` need the
 * count. Calls `GET /api/v1/node-pools` and, when needed or selected,
 * `GET /api/v1/node-pools/count`.
 */
export function listNodePools(args: NodePoolConnectionArgs, ctx: ResolverContext): NodePoolConnection {
  const filterBy = filterByFor(args.filter);
  const sort = args.orderBy ? { sortBy: args.orderBy.field, sortOrder: args.orderBy.direction ?? 'asc' } : {};
  const count = memo(() => ctx.loaders.nodePoolCount.load(filterBy));

  const page = memo(async () => {
    let window = pageWindow(args, undefined);
    if (window.needsCount) window = pageWindow(args, await count());
    const { offset, limit } = window;
    // One extra pool tells whether a next page exists, within Run:ai's 500 limit.
    const fetchLimit = Math.min(limit + 1, MAX_PAGE_SIZE);
    const key: PageKey = { filterBy, ...sort, offset, limit: fetchLimit };
    const [pools, total] = await Promise.all([
      limit === 0 ? Promise.resolve([]) : ctx.loaders.listPage(key),
      fetchLimit === limit ? count() : Promise.resolve(undefined),
    ]);
    const nodes = pools.slice(0, limit);
    const edges = nodes.map((node, i) => ({ cursor: cursorAt(offset + i), node }));
    const hasMore = total === undefined ? pools.length > limit : offset + limit < total;
    const pageInfo: PageInfo = {
      hasNextPage: args.last != null ? args.before != null && hasMore : hasMore,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    };
    return { edges, pageInfo };
  });

  return {
    get edges() {
      return page().then((p) => p.edges);
    },
    get pageInfo() {
      return page().then((p) => p.pageInfo);
    },
    get totalCount() {
      return count();
    },
  };
}

/**
 * The Run:ai calls `nodePools` makes at most: one page of the list when its
 * edges or page info are selected, and the count when `totalCount` is
 * selected or the page needs it (`last` without `before`, a 500-pool page).
 */
export function nodePoolsCalls(args: NodePoolConnectionArgs, selects: (field: string) => boolean): number {
  const page = selects('edges') || selects('pageInfo');
  if (!page) return selects('totalCount') ? 1 : 0;
  const window = pageWindow(args, undefined);
  const list = window.needsCount || window.limit > 0 ? 1 : 0;
  const pageNeedsCount = window.needsCount || Math.min(window.limit + 1, MAX_PAGE_SIZE) === window.limit;
  return list + (selects('totalCount') || pageNeedsCount ? 1 : 0);
}

/**
 * The Run:ai calls looking up pools by id makes at most: one GET per
 * distinct id, or, for more than {@link LIST_INSTEAD_OF_GETS_ABOVE}, one
 * list call and then a GET for each id it did not show.
 */
export function poolLookupCalls(ids: readonly unknown[]): number {
  const distinct = new Set(ids.map((id) => parseNodePoolId(String(id)))).size;
  return distinct > LIST_INSTEAD_OF_GETS_ABOVE ? distinct + 1 : distinct;
}

/** Resolves `nodePoolCount`. Calls `GET /api/v1/node-pools/count`. */
export function countNodePools(filter: NodePoolFilterInput | null | undefined, ctx: ResolverContext) {
  return ctx.loaders.nodePoolCount.load(filterByFor(filter));
}

/**
 * Resolves `nodePool(id)`: a global or raw id; null when Run:ai does not know
 * it. Calls `GET /api/v1/node-pools/{id}` unless the request already listed it.
 */
export function getNodePool(id: string, ctx: ResolverContext): Promise<NodePool | null> {
  return ctx.loaders.nodePoolById.load(parseNodePoolId(id));
}

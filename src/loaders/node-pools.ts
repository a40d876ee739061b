import DataLoader from 'dataloader';
import type { NodePoolsApi } from '../upstream/bind-api.js';
import { isUpstreamError } from '../upstream/errors.js';
import { encodeFilterBy } from '../upstream/filter.js';
import type { NodePool, SortField, SortOrder } from '../upstream/models.js';

/** One page of the pool list, as Run:ai is asked for it. */
export interface PageKey {
  filterBy: readonly string[];
  sortBy?: SortField | undefined;
  sortOrder?: SortOrder | undefined;
  offset: number;
  limit: number;
}

/** A pool as other services know it: its cluster and its name, unique within the cluster. */
export interface PoolName {
  clusterId: string;
  name: string;
}

/** Run:ai's largest page. */
const MAX_LIMIT = 500;

/** The pool loaders of one request, sharing what any list of the request returned. */
export interface NodePoolLoaders {
  /** `GET /api/v1/node-pools/{id}` per id, or one list call for many; null for unknown ids. Primed by every list. */
  nodePoolById: DataLoader<string, NodePool | null>;
  /**
   * One page of `GET /api/v1/node-pools`. Id lookups of the same tick wait for the pages it asks for, so a
   * pool they list costs no GET of its own.
   */
  listPage(key: PageKey): Promise<NodePool[]>;
  /**
   * A pool by its cluster and name (a supergraph's second key): from the request's lists when they show
   * it, else `GET /api/v1/node-pools` filtered to it, or one unfiltered page for many; null when absent.
   */
  nodePoolByName: DataLoader<PoolName, NodePool | null, string>;
  /** `GET /api/v1/node-pools/count` per filter. */
  nodePoolCount: DataLoader<readonly string[], number, string>;
  /** Records a pool returned by a mutation, so later reads in the request see its new state. */
  remember(pool: NodePool): void;
}

/**
 * The pool loaders of one request. Every list primes the id loader, so a
 * pool listed once costs nothing to look up again; an id lookup waits for
 * the lists of the same tick before asking Run:ai; more than
 * `listInsteadOfGetsAbove` unknown ids cost one list call instead of a GET
 * each.
 */
export function createNodePoolLoaders(api: NodePoolsApi, listInsteadOfGetsAbove: number): NodePoolLoaders {
  /** Every pool any list of this request returned, by id. */
  const seen = new Map<string, NodePool>();
  /** Ids a complete list showed not to exist. */
  const absent = new Set<string>();
  /** Lists of this request still in flight: id lookups wait for them before asking Run:ai. */
  const pendingLists = new Set<Promise<unknown>>();

  const track = <T>(promise: Promise<T>): Promise<T> => {
    pendingLists.add(promise);
    const done = () => pendingLists.delete(promise);
    promise.then(done, done);
    return promise;
  };

  const primeAll = (pools: readonly NodePool[]) => {
    for (const pool of pools) {
      seen.set(pool.id, pool);
      nodePoolById.clear(pool.id).prime(pool.id, pool);
    }
  };

  const nodePoolPage = new DataLoader<PageKey, NodePool[], string>(
    (keys) =>
      Promise.all(
        keys.map(async (key) => {
          const pools = await api.listNodePools({
            filterBy: key.filterBy,
            sortBy: key.sortBy,
            sortOrder: key.sortOrder,
            offset: key.offset,
            limit: key.limit,
          });
          primeAll(pools);
          return pools;
        }),
      ),
    { cacheKeyFn: (key) => JSON.stringify(key) },
  );

  const nodePoolById: DataLoader<string, NodePool | null> = new DataLoader(async (ids) => {
    await Promise.allSettled([...pendingLists]);
    const missing = ids.filter((id) => !seen.has(id));
    if (missing.length > listInsteadOfGetsAbove) {
      const pools = await nodePoolPage.load({ filterBy: [], offset: 0, limit: MAX_LIMIT });
      // A full page may hide more pools: those not on it are fetched one by one below.
      if (pools.length < MAX_LIMIT) for (const id of missing) if (!seen.has(id)) absent.add(id);
    }
    return Promise.all(
      ids.map(async (id): Promise<NodePool | null | Error> => {
        const known = seen.get(id);
        if (known) return known;
        if (absent.has(id)) return null;
        try {
          return await api.getNodePool(id);
        } catch (error) {
          if (isUpstreamError(error) && error.code === 'NOT_FOUND') return null;
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    );
  });

  const named = (key: PoolName) =>
    [...seen.values()].find((pool) => pool.clusterId === key.clusterId && pool.name === key.name);
  const nodePoolByName = new DataLoader<PoolName, NodePool | null, string>(
    async (keys) => {
      await Promise.allSettled([...pendingLists]);
      const missing = keys.filter((key) => !named(key));
      let complete = false;
      if (missing.length > listInsteadOfGetsAbove) {
        complete =
          (await nodePoolPage.load({ filterBy: [], offset: 0, limit: MAX_LIMIT })).length < MAX_LIMIT;
      }
      return Promise.all(
        keys.map(async (key): Promise<NodePool | null | Error> => {
          const known = named(key);
          if (known || complete) return known ?? null;
          try {
            const filterBy = encodeFilterBy({ name: { eq: key.name }, clusterId: { eq: key.clusterId } });
            const [pool] = await nodePoolPage.load({ filterBy, offset: 0, limit: 1 });
            return pool ?? null;
          } catch (error) {
            return error instanceof Error ? error : new Error(String(error));
          }
        }),
      );
    },
    { cacheKeyFn: (key) => `${key.clusterId}\0${key.name}` },
  );

  const nodePoolCount = new DataLoader<readonly string[], number, string>(
    (filters) => Promise.all(filters.map((filterBy) => api.countNodePools({ filterBy }))),
    { cacheKeyFn: (filterBy) => JSON.stringify(filterBy) },
  );

  return {
    nodePoolById,
    nodePoolByName,
    // Registered when asked for, not when its batch runs, so an id lookup of the same tick sees it.
    listPage: (key) => track(nodePoolPage.load(key)),
    nodePoolCount,
    remember: (pool) => primeAll([pool]),
  };
}

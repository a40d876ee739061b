import DataLoader from 'dataloader';
import pLimit, { type LimitFunction } from 'p-limit';
import { isUpstreamError } from './errors.js';
import {
  METRIC_TYPES,
  type Measurement,
  type MetricType,
  type NodePool,
  type SortField,
  type SortOrder,
} from './models.js';
import type { NodePoolsApi } from './nodepools-api.js';

/** One page of the pool list, as Run:ai is asked for it. */
export interface PageKey {
  filterBy: readonly string[];
  sortBy?: SortField | undefined;
  sortOrder?: SortOrder | undefined;
  offset: number;
  limit: number;
}

/** One `metrics` field of one pool: its window and the types it asks for. */
export interface MetricsKey {
  clusterId: string;
  nodepoolName: string;
  start: Date;
  end: Date;
  samples: number;
  types: readonly MetricType[];
}

/**
 * A series of a metric type the gateway knows (Run:ai may send newer ones),
 * as the schema serves it. Samples stay as Run:ai sent them (`value` text,
 * normalized timestamp) and are turned into numbers only for the fields a
 * query selects; a dashboard asking for the latest sample of most series
 * never touches the others.
 */
export type MetricSeries = Measurement & { type: MetricType };

/** What one `metrics` field receives: its own series, and which of its types Run:ai could not compute. */
export interface MetricsSlice {
  /** The series of the key's types that came, in Run:ai's order. */
  measurements: MetricSeries[];
  missingTypes: MetricType[];
  partial: boolean;
}

export interface LoaderOptions {
  /** At most this many metrics calls run at once for one request. */
  metricsConcurrency?: number;
  /** Above this many unknown ids in one batch, one list call is cheaper than a GET per id. */
  listInsteadOfGetsAbove?: number;
}

/** The per-request loaders: memoised, batched reads of Run:ai for one caller. */
export interface Loaders {
  /** `GET /api/v1/node-pools/{id}` per id, or one list call for many; null for unknown ids. Primed by every list. */
  nodePoolById: DataLoader<string, NodePool | null>;
  /** `GET /api/v1/node-pools` for one page. */
  nodePoolPage: DataLoader<PageKey, NodePool[], string>;
  /** `GET /api/v1/node-pools/count` per filter. */
  nodePoolCount: DataLoader<readonly string[], number, string>;
  /** `GET /api/v1/clusters/{clusterUuid}/nodepools/{name}/metrics`: one call per pool and window, the union of types. */
  metrics: DataLoader<MetricsKey, MetricsSlice, string>;
  /** Records a pool returned by a mutation, so later reads in the request see its new state. */
  remember(pool: NodePool): void;
}

/** Run:ai's largest page. */
const MAX_LIMIT = 500;

const metricOrder = new Map(METRIC_TYPES.map((type, i) => [type, i]));

/** Pool and window of a key: keys that share it share one call. Run:ai names hold no NUL. */
function windowKey(key: MetricsKey): string {
  return `${key.clusterId}\0${key.nodepoolName}\0${key.start.getTime()}\0${key.end.getTime()}\0${key.samples}`;
}

/**
 * Creates the loaders of one GraphQL request, bound to the caller's API.
 * Loaders never outlive the request and never hold another caller's data.
 */
export function createLoaders(api: NodePoolsApi, options: LoaderOptions = {}): Loaders {
  const { metricsConcurrency = 64, listInsteadOfGetsAbove = 8 } = options;
  // Built with the first metrics batch: most requests read no metrics.
  let limitMetrics: LimitFunction | undefined;
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
  const loadPage = nodePoolPage.load.bind(nodePoolPage);
  // Registered at load time, not batch time, so an id lookup scheduled in the same tick sees it.
  nodePoolPage.load = (key: PageKey) => track(loadPage(key));

  const nodePoolById: DataLoader<string, NodePool | null> = new DataLoader(async (ids) => {
    await Promise.allSettled([...pendingLists]);
    const missing = ids.filter((id) => !seen.has(id));
    if (missing.length > listInsteadOfGetsAbove) {
      const pools = await nodePoolPage.load({ filterBy: [], offset: 0, limit: MAX_LIMIT });
      // A full page may hide more pools: those not on it are fetched one by one below.
      if (pools.length < MAX_LIMIT) for (const id of missing) if (!seen.has(id)) absent.add(id);
    }
    const fetched = await Promise.all(
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
    return fetched;
  });

  const nodePoolCount = new DataLoader<readonly string[], number, string>(
    (filters) => Promise.all(filters.map((filterBy) => api.countNodePools({ filterBy }))),
    { cacheKeyFn: (filterBy) => JSON.stringify(filterBy) },
  );

  const metrics = new DataLoader<MetricsKey, MetricsSlice, string>(
    // Each key gets its own group's promise rather than waiting for the whole batch: a pool's
    // metrics fields complete (and their results are built) as soon as its call answers, while
    // the other calls of the wave are still on their way.
    (keys) => {
      const groups = new Map<string, MetricsKey[]>();
      for (const key of keys) {
        const id = windowKey(key);
        const group = groups.get(id);
        if (group) group.push(key);
        else groups.set(id, [key]);
      }
      const slices = new Map<MetricsKey, Promise<MetricsSlice>>();
      for (const group of groups.values()) {
        const first = group[0] as MetricsKey;
        const union = [...new Set(group.flatMap((k) => k.types))].sort(
          (a, b) => (metricOrder.get(a) ?? 0) - (metricOrder.get(b) ?? 0),
        );
        limitMetrics ??= pLimit(metricsConcurrency);
        const answer = limitMetrics(() =>
          api.getNodePoolMetrics({
            clusterId: first.clusterId,
            nodepoolName: first.nodepoolName,
            start: first.start.toISOString(),
            end: first.end.toISOString(),
            numberOfSamples: first.samples,
            metricTypes: union,
          }),
        );
        for (const key of group) {
          slices.set(
            key,
            // A few types and at most four series: array scans, no Sets (150 fields per dashboard).
            answer.then((result) => ({
              measurements: result.measurements.filter(
                (m): m is MetricSeries => m.type !== null && key.types.includes(m.type),
              ),
              missingTypes: key.types.filter((t) => !result.measurements.some((m) => m.type === t)),
              partial: result.partial,
            })),
          );
        }
      }
      // DataLoader settles each load() with its value; a promise value is adopted, rejection included.
      return Promise.resolve(
        keys.map((key) => slices.get(key) ?? Promise.reject(new TypeError('metrics batch lost a key'))),
      ) as unknown as Promise<MetricsSlice[]>;
    },
    {
      cacheKeyFn: (key) =>
        `${windowKey(key)}\0${key.types.length === 1 ? key.types[0] : [...key.types].sort().join(',')}`,
      // One batch holds every metrics field of the execution wave, however many pools it spans.
      maxBatchSize: Number.POSITIVE_INFINITY,
    },
  );

  return {
    nodePoolById,
    nodePoolPage,
    nodePoolCount,
    metrics,
    remember: (pool) => primeAll([pool]),
  };
}

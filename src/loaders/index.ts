import type { NodePoolsApi } from '../upstream/bind-api.js';
import { createNodePoolLoaders, type NodePoolLoaders } from './node-pools.js';
import { createMetricsLoader, type PoolMetricsLoader } from './pool-metrics.js';

export type { PageKey } from './node-pools.js';
export type { MetricSeries, MetricsKey, MetricsSlice } from './pool-metrics.js';

/** Above this many unknown ids in one batch, one list call is cheaper than a GET per id. */
export const LIST_INSTEAD_OF_GETS_ABOVE = 8;

/** At most this many metrics calls run at once for one request: a 50-pool page in one wave (a tuning knob). */
export const DEFAULT_METRICS_CONCURRENCY = 64;

export interface LoaderOptions {
  /** At most this many metrics calls run at once for one request. Default {@link DEFAULT_METRICS_CONCURRENCY}. */
  metricsConcurrency?: number;
}

/** The per-request loaders: memoised, batched reads of Run:ai for one caller. */
export interface Loaders extends NodePoolLoaders {
  /** One metrics call per pool and window, for the union of the types its fields ask for. */
  metrics: PoolMetricsLoader;
}

/**
 * Creates the loaders of one GraphQL request, bound to the caller's API.
 * Loaders never outlive the request and never hold another caller's data.
 */
export function createLoaders(api: NodePoolsApi, options: LoaderOptions = {}): Loaders {
  const { metricsConcurrency = DEFAULT_METRICS_CONCURRENCY } = options;
  return {
    ...createNodePoolLoaders(api, LIST_INSTEAD_OF_GETS_ABOVE),
    metrics: createMetricsLoader(api, metricsConcurrency),
  };
}

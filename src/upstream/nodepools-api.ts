import type { components } from 'runai-simulator/openapi-types';
/**
 * One typed function per operation of the Run:ai node-pools API (spec:
 * `spec/nodepools-openapi.json`); the deprecated `/v1/k8s` ones are in
 * legacy-api.ts. Every function this module exports is an operation: it
 * takes the caller's {@link CallContext} first, and bind-api.ts binds it to
 * each request without being told of it. Adding a Run:ai call is adding a
 * function here (and its test).
 */
import { type CallContext, type CallSpec, call, warnOf } from './http.js';
import type { MetricType, NodePool, NodePoolMetrics, SortField, SortOrder } from './models.js';
import { seg, type WithOptionalRatio } from './operation.js';
import { parseCount, parseNodePool, parseNodePoolList } from './parse-node-pools.js';
import { parseMetrics } from './parse-pool-metrics.js';

type Schemas = components['schemas'];

/** Body of `POST /api/v1/node-pools`. */
export type NodePoolCreateBody = WithOptionalRatio<Schemas['NodepoolCreateFields']>;
/** Body of `PUT` and `PATCH /api/v1/node-pools/{nodepoolId}`. */
export type NodePoolUpdateBody = WithOptionalRatio<Schemas['NodepoolUpdateFields']>;

/** Query of `GET /api/v1/node-pools`. */
export interface ListNodePoolsParams {
  /** Filters like `name==a100`, ANDed; sent as one comma-joined value, so a value cannot contain a comma. */
  filterBy?: readonly string[] | undefined;
  sortBy?: SortField | undefined;
  sortOrder?: SortOrder | undefined;
  offset?: number | undefined;
  /** 1..500, Run:ai's default 50. */
  limit?: number | undefined;
}

/** Query of `GET /api/v1/node-pools/count`. */
export interface CountNodePoolsParams {
  filterBy?: readonly string[] | undefined;
}

/** Parameters of the node-pool metrics call. */
export interface NodePoolMetricsParams {
  clusterId: string;
  nodepoolName: string;
  /** Start of the range: an ISO 8601 string or a Date. */
  start: string | Date;
  end: string | Date;
  /** 0..1000, Run:ai's default 20. */
  numberOfSamples?: number | undefined;
  /** Sent as one comma-joined `metricType` value. */
  metricTypes: readonly MetricType[];
}

/** Result of `DELETE /api/v1/node-pools/{nodepoolId}`. */
export interface DeleteNodePoolResult {
  /** 202: deletion accepted (the pool goes through `Deleting`); 204: deleted. */
  status: 202 | 204;
  message: string | null;
}

const iso = (value: string | Date): string => (typeof value === 'string' ? value : value.toISOString());

function metricsQuery(params: NodePoolMetricsParams): CallSpec['query'] {
  return {
    start: iso(params.start),
    end: iso(params.end),
    numberOfSamples: params.numberOfSamples,
    metricType: params.metricTypes,
  };
}

const POOL_ROUTE = '/api/v1/node-pools/{nodepoolId}';
const poolPath = (id: string): string => `/api/v1/node-pools/${seg(id)}`;

const METRICS_ROUTE = '/api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics';
const metricsPath = (params: NodePoolMetricsParams): string =>
  `/api/v1/clusters/${seg(params.clusterId)}/nodepools/${seg(params.nodepoolName)}/metrics`;

// ---------------------------------------------------------------------------
// Current API (/api/v1)

/** Lists node pools: `GET /api/v1/node-pools` (operation `get_nodepools`). One page; page with offset/limit. */
export async function listNodePools(ctx: CallContext, params: ListNodePoolsParams = {}): Promise<NodePool[]> {
  const operation = 'get_nodepools';
  const res = await call(ctx, {
    operation,
    method: 'GET',
    route: '/api/v1/node-pools',
    path: '/api/v1/node-pools',
    query: {
      filterBy: params.filterBy,
      sortBy: params.sortBy,
      sortOrder: params.sortOrder,
      offset: params.offset,
      limit: params.limit,
    },
  });
  return parseNodePoolList(res.body, warnOf(ctx), operation);
}

/** Counts node pools matching the filters: `GET /api/v1/node-pools/count` (operation `count_nodepools`). */
export async function countNodePools(ctx: CallContext, params: CountNodePoolsParams = {}): Promise<number> {
  const operation = 'count_nodepools';
  const res = await call(ctx, {
    operation,
    method: 'GET',
    route: '/api/v1/node-pools/count',
    path: '/api/v1/node-pools/count',
    query: { filterBy: params.filterBy },
  });
  return parseCount(res.body, operation);
}

/** Gets one node pool: `GET /api/v1/node-pools/{nodepoolId}` (operation `get_nodepool`). */
export async function getNodePool(ctx: CallContext, id: string): Promise<NodePool> {
  const operation = 'get_nodepool';
  const res = await call(ctx, { operation, method: 'GET', route: POOL_ROUTE, path: poolPath(id) });
  return parseNodePool(res.body, warnOf(ctx), operation);
}

/**
 * Creates a node pool: `POST /api/v1/node-pools` (operation `create_nodepool`).
 * Never retried: a lost response may hide a successful create.
 */
export async function createNodePool(ctx: CallContext, body: NodePoolCreateBody): Promise<NodePool> {
  const operation = 'create_nodepool';
  const res = await call(ctx, {
    operation,
    method: 'POST',
    route: '/api/v1/node-pools',
    path: '/api/v1/node-pools',
    body,
  });
  return parseNodePool(res.body, warnOf(ctx), operation);
}

/** Replaces a node pool's updatable fields: `PUT /api/v1/node-pools/{nodepoolId}` (operation `update_nodepool`). */
export async function updateNodePool(
  ctx: CallContext,
  id: string,
  body: NodePoolUpdateBody,
): Promise<NodePool> {
  const operation = 'update_nodepool';
  const res = await call(ctx, { operation, method: 'PUT', route: POOL_ROUTE, path: poolPath(id), body });
  return parseNodePool(res.body, warnOf(ctx), operation);
}

/**
 * Updates some fields of a node pool: `PATCH /api/v1/node-pools/{nodepoolId}`
 * (operation `patch_nodepool`). `body` is sent exactly as given: explicit
 * `null`s go out as `null` (clearing the field), omitted keys stay absent.
 */
export async function patchNodePool(
  ctx: CallContext,
  id: string,
  body: Partial<NodePoolUpdateBody>,
): Promise<NodePool> {
  const operation = 'patch_nodepool';
  const res = await call(ctx, { operation, method: 'PATCH', route: POOL_ROUTE, path: poolPath(id), body });
  return parseNodePool(res.body, warnOf(ctx), operation);
}

/** Deletes a node pool: `DELETE /api/v1/node-pools/{nodepoolId}` (operation `delete_nodepool`). */
export async function deleteNodePool(ctx: CallContext, id: string): Promise<DeleteNodePoolResult> {
  const res = await call(ctx, {
    operation: 'delete_nodepool',
    method: 'DELETE',
    route: POOL_ROUTE,
    path: poolPath(id),
  });
  if (res.status === 204) return { status: 204, message: null };
  // Any other 2xx is an acceptance; its `{code, message}` body is informative only.
  const message = (res.body as { message?: unknown } | undefined)?.message;
  return { status: 202, message: typeof message === 'string' ? message : null };
}

/**
 * Gets a node pool's metrics:
 * `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics`
 * (operation `get_nodepool_metrics`). A 207 gives `partial: true`.
 */
export async function getNodePoolMetrics(
  ctx: CallContext,
  params: NodePoolMetricsParams,
): Promise<NodePoolMetrics> {
  const operation = 'get_nodepool_metrics';
  const res = await call(ctx, {
    operation,
    method: 'GET',
    route: METRICS_ROUTE,
    path: metricsPath(params),
    query: metricsQuery(params),
  });
  return parseMetrics(res.body, warnOf(ctx), { operation, partial: res.status === 207 });
}

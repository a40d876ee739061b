/**
 * The deprecated `/v1/k8s` operations of the Run:ai node-pools API, kept for
 * clusters whose control plane predates `/api/v1`. Same pools, integer ids.
 */

import type { components } from 'runai-simulator/openapi-types';
import { type CallContext, call, warnOf } from './http.js';
import type { LegacyNodePool } from './models.js';
import { seg, type WithOptionalRatio } from './operation.js';
import { parseLegacyNodePool, parseLegacyNodePoolList } from './parse-node-pools.js';

type Schemas = components['schemas'];

/** Body of the deprecated `POST /v1/k8s/clusters/{clusterId}/node-pools`. */
export type LegacyNodePoolCreateBody = WithOptionalRatio<Schemas['NodePoolCreateRequest']>;
/** Body of the deprecated `PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}`. */
export type LegacyNodePoolUpdateBody = WithOptionalRatio<Schemas['UpdateNodePoolRequest']>;
/** Body of the deprecated `PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}/labels`. */
export type LegacyNodePoolLabelsBody = Schemas['NodePoolLabelsRequest'];

const LEGACY_POOLS_ROUTE = '/v1/k8s/clusters/{clusterId}/node-pools';
const legacyPoolsPath = (clusterId: string): string => `/v1/k8s/clusters/${seg(clusterId)}/node-pools`;

/** Lists a cluster's node pools: `GET /v1/k8s/clusters/{clusterId}/node-pools` (operation `getNodePools`, deprecated). */
export async function legacyListNodePools(ctx: CallContext, clusterId: string): Promise<LegacyNodePool[]> {
  const operation = 'getNodePools';
  const res = await call(ctx, {
    operation,
    method: 'GET',
    route: LEGACY_POOLS_ROUTE,
    path: legacyPoolsPath(clusterId),
  });
  return parseLegacyNodePoolList(res.body, warnOf(ctx), operation);
}

/**
 * Creates a node pool: `POST /v1/k8s/clusters/{clusterId}/node-pools`
 * (operation `createNodePool`, deprecated). Run:ai answers 201, documented
 * without a body: `null` when it sends none.
 */
export async function legacyCreateNodePool(
  ctx: CallContext,
  clusterId: string,
  body: LegacyNodePoolCreateBody,
): Promise<LegacyNodePool | null> {
  const operation = 'createNodePool';
  const res = await call(ctx, {
    operation,
    method: 'POST',
    route: LEGACY_POOLS_ROUTE,
    path: legacyPoolsPath(clusterId),
    body,
  });
  return res.body === undefined ? null : parseLegacyNodePool(res.body, warnOf(ctx), operation);
}

/**
 * Updates a node pool: `PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}`
 * (operation `updateNodePool`, deprecated). Run:ai answers 202 (accepted).
 */
export async function legacyUpdateNodePool(
  ctx: CallContext,
  clusterId: string,
  id: number,
  body: LegacyNodePoolUpdateBody,
): Promise<void> {
  await call(ctx, {
    operation: 'updateNodePool',
    method: 'PUT',
    route: `${LEGACY_POOLS_ROUTE}/{id}`,
    path: `${legacyPoolsPath(clusterId)}/${seg(id)}`,
    body,
  });
}

/**
 * Updates a node pool's labels: `PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}/labels`
 * (operation `updateNodePoolLabels`, deprecated). Run:ai answers 202 (accepted).
 */
export async function legacyUpdateNodePoolLabels(
  ctx: CallContext,
  clusterId: string,
  id: number,
  body: LegacyNodePoolLabelsBody,
): Promise<void> {
  await call(ctx, {
    operation: 'updateNodePoolLabels',
    method: 'PUT',
    route: `${LEGACY_POOLS_ROUTE}/{id}/labels`,
    path: `${legacyPoolsPath(clusterId)}/${seg(id)}/labels`,
    body,
  });
}

/**
 * Deletes a node pool: `DELETE /v1/k8s/clusters/{clusterId}/node-pools/{id}`
 * (operation `deleteNodePool`, deprecated). Run:ai answers 202 (accepted).
 */
export async function legacyDeleteNodePool(ctx: CallContext, clusterId: string, id: number): Promise<void> {
  await call(ctx, {
    operation: 'deleteNodePool',
    method: 'DELETE',
    route: `${LEGACY_POOLS_ROUTE}/{id}`,
    path: `${legacyPoolsPath(clusterId)}/${seg(id)}`,
  });
}

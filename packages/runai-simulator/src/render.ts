import type { PoolRecord } from './model.js';
import type { components } from './openapi-types.js';
import type { PoolState } from './store.js';

type Nodepool = components['schemas']['Nodepool'];
type LegacyNodePool = components['schemas']['NodePool1'];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** GPU resource optimisation as the API shows it: swap sizes only mean something while swap is on. */
function gpuResourceOptimization(pool: PoolRecord): NonNullable<Nodepool['gpuResourceOptimization']> {
  const o = pool.gpuResourceOptimization;
  return {
    swapEnabled: o.swapEnabled,
    cpuSwapMemorySize: o.swapEnabled ? o.cpuSwapMemorySize : null,
    reservedGpuMemoryForSwapOperations: o.swapEnabled ? o.reservedGpuMemoryForSwapOperations : null,
    nodeLevelSchedulerEnabled: o.nodeLevelSchedulerEnabled,
  };
}

/** A pool in the shape of the current API (`Nodepool`). */
export function toNodepool(pool: PoolRecord, state: PoolState, clusterName: string): Nodepool {
  const out: Nodepool = {
    id: String(pool.id),
    name: pool.name,
    clusterId: pool.clusterId,
    clusterName,
    tenantId: pool.tenantId,
    labelKey: pool.labelKey,
    labelValue: pool.labelValue,
    isDefault: pool.isDefault,
    phase: state.phase as Nodepool['phase'],
    phaseMessage: state.phaseMessage,
    status: {
      labelKey: pool.labelKey,
      labelValue: pool.labelValue,
      overProvisioningRatio: pool.overProvisioningRatio,
      nodes: state.nodes,
      gpuNetworkAccelerationDetected: state.gpuNetworkAccelerationDetected,
    },
    overProvisioningRatio: pool.overProvisioningRatio,
    placementStrategy: { ...pool.placementStrategy },
    gpuNetworkAccelerationDetection: pool.gpuNetworkAccelerationDetection,
    gpuResourceOptimization: gpuResourceOptimization(pool),
    createdBy: pool.createdBy,
    createdAt: iso(pool.createdAt),
    updatedBy: pool.updatedBy,
    updatedAt: iso(pool.updatedAt),
    deletedAt: pool.deletedAt === null ? null : iso(pool.deletedAt),
  };
  // The response schema types this key as a plain string, so "none" is an absent key, not null.
  if (pool.gpuNetworkAccelerationLabelKey !== null) {
    out.gpuNetworkAccelerationLabelKey = pool.gpuNetworkAccelerationLabelKey;
  }
  if (pool.deletedBy !== null) out.deletedBy = pool.deletedBy;
  return out;
}

/** A pool in the shape of the deprecated /v1/k8s API (`NodePool1`): integer id, phase as `status`. */
export function toLegacyPool(pool: PoolRecord, state: PoolState): LegacyNodePool {
  const out: LegacyNodePool = {
    id: pool.id,
    name: pool.name,
    clusterId: pool.clusterId,
    labelKey: pool.labelKey,
    labelValue: pool.labelValue,
    overProvisioningRatio: pool.overProvisioningRatio,
    placementStrategy: { ...pool.placementStrategy },
    status: state.phase as LegacyNodePool['status'],
    statusMessage: state.phaseMessage,
    nodes: JSON.stringify(state.nodes),
    isDefault: pool.isDefault,
    createdBy: pool.createdBy,
    createdAt: iso(pool.createdAt),
    updatedBy: pool.updatedBy,
    updatedAt: iso(pool.updatedAt),
  };
  // Not nullable in the legacy schema: leave it out until the pool is being deleted.
  if (pool.deletedAt !== null) out.deletedAt = iso(pool.deletedAt);
  return out;
}

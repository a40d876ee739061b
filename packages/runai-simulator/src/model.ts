/** Placement strategy of one resource kind. */
export type PlacementValue = 'spread' | 'binpack';

/** How a pool detects GPU network acceleration. */
export type AccelerationDetection = 'Use' | 'DontUse' | 'Auto';

/** A phase that lasts a fixed time after a write, then settles. */
export type PendingPhase = 'Creating' | 'Updating' | 'Deleting';

/** A Kubernetes node of a simulated cluster. */
export interface NodeRecord {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** A cluster of a tenant, with its fixed node inventory. */
export interface ClusterRecord {
  id: string;
  name: string;
  tenantId: number;
  nodes: readonly NodeRecord[];
}

/** GPU resource optimisation settings, stored with their defaults applied. */
export interface GpuResourceOptimizationRecord {
  swapEnabled: boolean;
  cpuSwapMemorySize: string | null;
  reservedGpuMemoryForSwapOperations: string | null;
  nodeLevelSchedulerEnabled: boolean;
}

/**
 * A node pool as the simulator stores it. Optional spec fields are stored
 * with their defaults applied, so rendering never has to guess.
 */
export interface PoolRecord {
  id: number;
  tenantId: number;
  clusterId: string;
  name: string;
  labelKey: string;
  labelValue: string;
  isDefault: boolean;
  overProvisioningRatio: number;
  placementStrategy: { cpu: PlacementValue; gpu: PlacementValue };
  gpuNetworkAccelerationLabelKey: string | null;
  gpuNetworkAccelerationDetection: AccelerationDetection;
  gpuResourceOptimization: GpuResourceOptimizationRecord;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
  deletedBy: string | null;
  deletedAt: number | null;
  /** A phase set explicitly (seed, setPhase); null: derived from the nodes (Ready or Empty). */
  phase: string | null;
  phaseMessage: string;
  /** The transient phase after a write, shown until `pendingUntil` (lazy lifecycle: no timers). */
  pending: PendingPhase | null;
  pendingUntil: number;
}

/** Label every node carries when it has GPU network acceleration, unless a pool names another key. */
export const DEFAULT_ACCELERATION_LABEL = 'nvidia.com/gpu-network-acceleration';

/** Defaults the spec gives the optional pool fields. */
export const POOL_DEFAULTS = {
  overProvisioningRatio: 1,
  placement: 'binpack' as PlacementValue,
  gpuNetworkAccelerationDetection: 'Auto' as AccelerationDetection,
  cpuSwapMemorySize: '100G',
  reservedGpuMemoryForSwapOperations: '2G',
} as const;

/** The settings of a pool that has no GPU resource optimisation. */
export function defaultGpuResourceOptimization(): GpuResourceOptimizationRecord {
  return {
    swapEnabled: false,
    cpuSwapMemorySize: null,
    reservedGpuMemoryForSwapOperations: null,
    nodeLevelSchedulerEnabled: false,
  };
}

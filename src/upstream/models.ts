/**
 * Normalized domain types of the Run:ai node-pool API: what the lenient
 * parsers (parse-node-pools.ts, parse-pool-metrics.ts) turn Run:ai's answers into,
 * with the enum values of the spec, checked at compile time against the
 * generated types.
 */
import type { components } from 'runai-simulator/openapi-types';

type Schemas = components['schemas'];

/** Receives warnings about tolerated oddities (pino-compatible `warn(obj, msg)`). */
export type WarnFn = (obj: { field: string; value: unknown }, msg: string) => void;

// ---------------------------------------------------------------------------
// Enum value lists, checked at compile time against the generated types.

/**
 * Returns `values` typed as a const tuple, and fails to compile unless the
 * list holds every member of `T` (the generated union) and nothing else.
 */
const allOf =
  <T extends string>() =>
  <const A extends readonly T[]>(values: A & ([T] extends [A[number]] ? unknown : never)): A =>
    values;

/** Lifecycle phases of a node pool. */
export const NODE_POOL_PHASES = allOf<Schemas['NodepoolPhase']>()([
  'Creating',
  'Updating',
  'Deleting',
  'Empty',
  'Unschedulable',
  'Ready',
  'Deleted',
]);
export type NodePoolPhase = (typeof NODE_POOL_PHASES)[number];

/** Scheduling strategies per resource. */
export const PLACEMENT_STRATEGIES = allOf<NonNullable<Schemas['PlacementStrategy']>>()(['spread', 'binpack']);
export type PlacementStrategy = (typeof PLACEMENT_STRATEGIES)[number];

/** GPU network acceleration detection modes. */
export const GPU_NETWORK_ACCELERATION_DETECTIONS = allOf<
  NonNullable<Schemas['NodepoolGPUNetworkAccelerationDetection']>
>()(['Use', 'DontUse', 'Auto']);
export type GpuNetworkAccelerationDetection = (typeof GPU_NETWORK_ACCELERATION_DETECTIONS)[number];

/** Metric types of `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics`. */
export const METRIC_TYPES = allOf<Schemas['MetricsType']>()([
  'TOTAL_GPU_NODES',
  'GPU_UTILIZATION',
  'GPU_UTILIZATION_DISTRIBUTION',
  'GPU_MEMORY_UTILIZATION',
  'CPU_UTILIZATION',
  'CPU_MEMORY_UTILIZATION',
  'TOTAL_GPU',
  'GPU_QUOTA',
  'ALLOCATED_GPU',
  'UNALLOCATED_GPU',
  'AVG_WORKLOAD_WAIT_TIME',
]);
export type MetricType = (typeof METRIC_TYPES)[number];

const METRIC_RANK = new Map(METRIC_TYPES.map((type, i) => [type, i]));

/**
 * Metric types without repeats, in the spec's order: the order the gateway
 * asks Run:ai for them in, so that one set of types is always one request.
 */
export function inSpecOrder(types: Iterable<MetricType>): MetricType[] {
  return [...new Set(types)].sort((a, b) => (METRIC_RANK.get(a) ?? 0) - (METRIC_RANK.get(b) ?? 0));
}

/** Fields `GET /api/v1/node-pools` can sort and filter by. */
export const SORT_FIELDS = allOf<Schemas['NodepoolSortFilterFields']>()([
  'name',
  'phase',
  'clusterId',
  'createdAt',
  'updatedAt',
  'gpuNetworkAccelerationDetection',
  'gpuNetworkAccelerationDetected',
  'gpuNetworkAccelerationLabelKey',
  'swapEnabled',
  'nodeLevelSchedulerEnabled',
]);
export type SortField = (typeof SORT_FIELDS)[number];

/** Sort directions. */
export const SORT_ORDERS = allOf<components['parameters']['SortOrder']>()(['asc', 'desc']);
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Filter operators of `filterBy` (`field<op>value`). */
export const FILTER_OPERATORS = ['==', '!=', '<=', '>=', '=@', '!@', '=^', '=$'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

// ---------------------------------------------------------------------------
// Domain types. Optional upstream fields are `null` when absent, never undefined.

/** Scheduling strategy per resource; `null` members are unset or unknown values. */
export interface PlacementStrategies {
  cpu: PlacementStrategy | null;
  gpu: PlacementStrategy | null;
}

/** GPU memory swap and node-level scheduler settings of a pool. */
export interface GpuResourceOptimization {
  swapEnabled: boolean | null;
  cpuSwapMemorySize: string | null;
  reservedGpuMemoryForSwapOperations: string | null;
  nodeLevelSchedulerEnabled: boolean | null;
}

/** What the cluster last reported for the pool (may lag behind the desired settings). */
export interface NodePoolStatus {
  labelKey: string | null;
  labelValue: string | null;
  /** Names of the nodes in the pool; empty when not reported. */
  nodes: string[];
  gpuNetworkAccelerationDetected: boolean | null;
  placementStrategy: PlacementStrategies | null;
  gpuNetworkAccelerationLabelKey: string | null;
  gpuNetworkAccelerationDetection: GpuNetworkAccelerationDetection | null;
  gpuResourceOptimization: GpuResourceOptimization | null;
  overProvisioningRatio: number | null;
}

/** A node pool as served by `/api/v1/node-pools`. Timestamps are ISO 8601 UTC (`…Z`). */
export interface NodePool {
  /** Numeric string, e.g. `"5"` (shared with the integer ids of the legacy endpoints). */
  id: string;
  name: string;
  clusterId: string;
  clusterName: string;
  tenantId: number;
  labelKey: string;
  labelValue: string;
  isDefault: boolean;
  /** `null` when absent or a phase this gateway does not know. */
  phase: NodePoolPhase | null;
  phaseMessage: string | null;
  placementStrategy: PlacementStrategies | null;
  gpuNetworkAccelerationDetection: GpuNetworkAccelerationDetection | null;
  gpuNetworkAccelerationLabelKey: string | null;
  gpuResourceOptimization: GpuResourceOptimization | null;
  overProvisioningRatio: number | null;
  status: NodePoolStatus | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  deletedAt: string | null;
  deletedBy: string | null;
}

/** A node pool as served by the deprecated `/v1/k8s/clusters/{clusterId}/node-pools` endpoints. */
export interface LegacyNodePool {
  id: number;
  name: string;
  clusterId: string | null;
  labelKey: string | null;
  labelValue: string | null;
  overProvisioningRatio: number | null;
  placementStrategy: PlacementStrategies | null;
  /** The legacy `status` field (it holds the phase). */
  phase: NodePoolPhase | null;
  /** The legacy `statusMessage` field. */
  phaseMessage: string | null;
  /** Decoded from the legacy JSON-string `nodes`; empty when absent or undecodable. */
  nodes: string[];
  isDefault: boolean | null;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  deletedAt: string | null;
}

/** One sample of a measurement. */
export interface MetricValue {
  /** Run:ai sends numbers as strings; kept as given to avoid precision surprises. */
  value: string;
  timestamp: string | null;
}

/** One series of samples (several per type for `GPU_UTILIZATION_DISTRIBUTION`, told apart by labels). */
export interface Measurement {
  /** `null` for a metric type this gateway does not know (see `rawType`). */
  type: MetricType | null;
  /** The type exactly as Run:ai sent it. */
  rawType: string;
  labels: Record<string, string> | null;
  values: MetricValue[];
}

/** The normalized answer of the node-pool metrics endpoint. */
export interface NodePoolMetrics {
  /** True on HTTP 207: only some of the requested types could be computed. */
  partial: boolean;
  measurements: Measurement[];
}

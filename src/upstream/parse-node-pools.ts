/**
 * Parsers of the node pools Run:ai answers with: the current API's pools, its
 * pages and counts, and the deprecated `/v1/k8s` API's pools. Required fields
 * are checked with zod; optional ones are read leniently (lenient.ts).
 */
import { z } from 'zod';
import {
  at,
  count,
  enumValue,
  int32,
  intId,
  isBoolean,
  isInt32,
  isRecord,
  isString,
  isStringList,
  opt,
  optional,
  optTimestamp,
  parseOrThrow,
  type Reader,
  reader,
  stringId,
  timestamp,
  warnInvalid,
} from './lenient.js';
import {
  GPU_NETWORK_ACCELERATION_DETECTIONS,
  type GpuResourceOptimization,
  type LegacyNodePool,
  NODE_POOL_PHASES,
  type NodePool,
  type NodePoolStatus,
  PLACEMENT_STRATEGIES,
  type PlacementStrategies,
  type WarnFn,
} from './models.js';

// Raw (wire) schemas: the required fields. z.object strips unknown keys, which is how extra
// fields are ignored; optional fields are `unknown` here and read by the normalizers.

const nodePoolRaw = z.object({
  id: stringId,
  name: z.string(),
  clusterId: z.string(),
  clusterName: z.string(),
  tenantId: int32,
  labelKey: z.string(),
  labelValue: z.string(),
  isDefault: z.boolean(),
  phase: optional,
  phaseMessage: optional,
  placementStrategy: optional,
  gpuNetworkAccelerationDetection: optional,
  gpuNetworkAccelerationLabelKey: optional,
  gpuResourceOptimization: optional,
  overProvisioningRatio: optional,
  status: optional,
  createdAt: timestamp,
  createdBy: z.string(),
  updatedAt: timestamp,
  updatedBy: z.string(),
  deletedAt: optional,
  deletedBy: optional,
});

const legacyNodePoolRaw = z.object({
  id: intId,
  name: z.string(),
  clusterId: optional,
  labelKey: optional,
  labelValue: optional,
  overProvisioningRatio: optional,
  placementStrategy: optional,
  status: optional,
  statusMessage: optional,
  // Documented as a JSON-encoded string; an already-decoded array is accepted too.
  nodes: optional,
  isDefault: optional,
  createdAt: optional,
  createdBy: optional,
  updatedAt: optional,
  updatedBy: optional,
  deletedAt: optional,
});

const nodePoolListRaw = z.object({ nodepools: z.array(nodePoolRaw) });
const legacyNodePoolListRaw = z.array(legacyNodePoolRaw);
const countRaw = z.object({ count });

function optPlacement(r: Reader, field: string, value: unknown): PlacementStrategies | null {
  const raw = opt(r, field, value, isRecord);
  if (raw === null) return null;
  const s = at(r, field);
  return {
    cpu: enumValue(s, 'cpu', PLACEMENT_STRATEGIES, raw['cpu']),
    gpu: enumValue(s, 'gpu', PLACEMENT_STRATEGIES, raw['gpu']),
  };
}

function optGpuResourceOptimization(
  r: Reader,
  field: string,
  value: unknown,
): GpuResourceOptimization | null {
  const raw = opt(r, field, value, isRecord);
  if (raw === null) return null;
  const s = at(r, field);
  return {
    swapEnabled: opt(s, 'swapEnabled', raw['swapEnabled'], isBoolean),
    cpuSwapMemorySize: opt(s, 'cpuSwapMemorySize', raw['cpuSwapMemorySize'], isString),
    reservedGpuMemoryForSwapOperations: opt(
      s,
      'reservedGpuMemoryForSwapOperations',
      raw['reservedGpuMemoryForSwapOperations'],
      isString,
    ),
    nodeLevelSchedulerEnabled: opt(
      s,
      'nodeLevelSchedulerEnabled',
      raw['nodeLevelSchedulerEnabled'],
      isBoolean,
    ),
  };
}

function optStatus(r: Reader, field: string, value: unknown): NodePoolStatus | null {
  const raw = opt(r, field, value, isRecord);
  if (raw === null) return null;
  const s = at(r, field);
  return {
    labelKey: opt(s, 'labelKey', raw['labelKey'], isString),
    labelValue: opt(s, 'labelValue', raw['labelValue'], isString),
    nodes: opt(s, 'nodes', raw['nodes'], isStringList) ?? [],
    gpuNetworkAccelerationDetected: opt(
      s,
      'gpuNetworkAccelerationDetected',
      raw['gpuNetworkAccelerationDetected'],
      isBoolean,
    ),
    placementStrategy: optPlacement(s, 'placementStrategy', raw['placementStrategy']),
    gpuNetworkAccelerationLabelKey: opt(
      s,
      'gpuNetworkAccelerationLabelKey',
      raw['gpuNetworkAccelerationLabelKey'],
      isString,
    ),
    gpuNetworkAccelerationDetection: enumValue(
      s,
      'gpuNetworkAccelerationDetection',
      GPU_NETWORK_ACCELERATION_DETECTIONS,
      raw['gpuNetworkAccelerationDetection'],
    ),
    gpuResourceOptimization: optGpuResourceOptimization(
      s,
      'gpuResourceOptimization',
      raw['gpuResourceOptimization'],
    ),
    overProvisioningRatio: opt(s, 'overProvisioningRatio', raw['overProvisioningRatio'], isInt32),
  };
}

function toNodePool(r: Reader, raw: z.output<typeof nodePoolRaw>): NodePool {
  return {
    id: raw.id,
    name: raw.name,
    clusterId: raw.clusterId,
    clusterName: raw.clusterName,
    tenantId: raw.tenantId,
    labelKey: raw.labelKey,
    labelValue: raw.labelValue,
    isDefault: raw.isDefault,
    phase: enumValue(r, 'phase', NODE_POOL_PHASES, raw.phase),
    phaseMessage: opt(r, 'phaseMessage', raw.phaseMessage, isString),
    placementStrategy: optPlacement(r, 'placementStrategy', raw.placementStrategy),
    gpuNetworkAccelerationDetection: enumValue(
      r,
      'gpuNetworkAccelerationDetection',
      GPU_NETWORK_ACCELERATION_DETECTIONS,
      raw.gpuNetworkAccelerationDetection,
    ),
    gpuNetworkAccelerationLabelKey: opt(
      r,
      'gpuNetworkAccelerationLabelKey',
      raw.gpuNetworkAccelerationLabelKey,
      isString,
    ),
    gpuResourceOptimization: optGpuResourceOptimization(
      r,
      'gpuResourceOptimization',
      raw.gpuResourceOptimization,
    ),
    overProvisioningRatio: opt(r, 'overProvisioningRatio', raw.overProvisioningRatio, isInt32),
    status: optStatus(r, 'status', raw.status),
    createdAt: raw.createdAt,
    createdBy: raw.createdBy,
    updatedAt: raw.updatedAt,
    updatedBy: raw.updatedBy,
    deletedAt: optTimestamp(r, 'deletedAt', raw.deletedAt),
    deletedBy: opt(r, 'deletedBy', raw.deletedBy, isString),
  };
}

/** Decodes the legacy JSON-string node list; anything undecodable yields [] (with a warning). */
function legacyNodes(r: Reader, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (isStringList(value)) return value;
  if (typeof value === 'string') {
    if (value.trim() === '') return [];
    try {
      const decoded: unknown = JSON.parse(value);
      if (isStringList(decoded)) return decoded;
      if (decoded === null) return [];
    } catch {
      // fall through to the warning
    }
  }
  warnInvalid(r, 'nodes', value);
  return [];
}

function toLegacyNodePool(r: Reader, raw: z.output<typeof legacyNodePoolRaw>): LegacyNodePool {
  return {
    id: raw.id,
    name: raw.name,
    clusterId: opt(r, 'clusterId', raw.clusterId, isString),
    labelKey: opt(r, 'labelKey', raw.labelKey, isString),
    labelValue: opt(r, 'labelValue', raw.labelValue, isString),
    overProvisioningRatio: opt(r, 'overProvisioningRatio', raw.overProvisioningRatio, isInt32),
    placementStrategy: optPlacement(r, 'placementStrategy', raw.placementStrategy),
    phase: enumValue(r, 'status', NODE_POOL_PHASES, raw.status),
    phaseMessage: opt(r, 'statusMessage', raw.statusMessage, isString),
    nodes: legacyNodes(r, raw.nodes),
    isDefault: opt(r, 'isDefault', raw.isDefault, isBoolean),
    createdAt: optTimestamp(r, 'createdAt', raw.createdAt),
    createdBy: opt(r, 'createdBy', raw.createdBy, isString),
    updatedAt: optTimestamp(r, 'updatedAt', raw.updatedAt),
    updatedBy: opt(r, 'updatedBy', raw.updatedBy, isString),
    deletedAt: optTimestamp(r, 'deletedAt', raw.deletedAt),
  };
}

/**
 * Parses one node pool of the `/api/v1/node-pools` API.
 * @throws {UpstreamError} UPSTREAM_BAD_RESPONSE when a required field is missing or has the wrong type.
 */
export function parseNodePool(raw: unknown, warn: WarnFn, operation = 'get_nodepool'): NodePool {
  return toNodePool(reader(warn), parseOrThrow(nodePoolRaw, raw, operation));
}

/**
 * Parses the `{"nodepools": [...]}` envelope of `GET /api/v1/node-pools`
 * (the list is required: an answer without it is not an empty page). Field paths in errors include the item
 * index (`nodepools.3.createdAt`); warnings name the field within the pool.
 */
export function parseNodePoolList(raw: unknown, warn: WarnFn, operation = 'get_nodepools'): NodePool[] {
  const { nodepools } = parseOrThrow(nodePoolListRaw, raw, operation);
  const r = reader(warn);
  return nodepools.map((pool) => toNodePool(r, pool));
}

/** Parses the `{"count": n}` body of `GET /api/v1/node-pools/count`. */
export function parseCount(raw: unknown, operation = 'count_nodepools'): number {
  return parseOrThrow(countRaw, raw, operation).count;
}

/**
 * Parses one node pool of the deprecated `/v1/k8s` API (integer id, phase in
 * `status`, nodes as a JSON string).
 */
export function parseLegacyNodePool(raw: unknown, warn: WarnFn, operation = 'getNodePools'): LegacyNodePool {
  return toLegacyNodePool(reader(warn), parseOrThrow(legacyNodePoolRaw, raw, operation));
}

/** Parses the bare array body of `GET /v1/k8s/clusters/{clusterId}/node-pools`. */
export function parseLegacyNodePoolList(
  raw: unknown,
  warn: WarnFn,
  operation = 'getNodePools',
): LegacyNodePool[] {
  const r = reader(warn);
  return parseOrThrow(legacyNodePoolListRaw, raw, operation).map((pool) => toLegacyNodePool(r, pool));
}

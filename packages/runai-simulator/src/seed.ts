import { hash32 } from './hash.js';
import {
  type AccelerationDetection,
  type ClusterRecord,
  DEFAULT_ACCELERATION_LABEL,
  defaultGpuResourceOptimization,
  type NodeRecord,
  type PlacementValue,
  POOL_DEFAULTS,
  type PoolRecord,
} from './model.js';

/** The clusters of the demo seed: `SEED_CLUSTERS.prod.id` is a cluster UUID of tenant 1001. */
export const SEED_CLUSTERS = {
  prod: { id: 'd73a738f-fab3-430a-8fa3-5241493d7128', name: 'prod-cluster', tenantId: 1001 },
  research: { id: '4f1c2b7e-9a3d-4e8b-b6c5-2d9e0f1a7b3c', name: 'research-cluster', tenantId: 1001 },
  partner: { id: '8e2d4c6a-1b3f-4a5e-9c7d-0f2e4a6c8b1d', name: 'partner-cluster', tenantId: 1002 },
} as const;

/** Just the cluster UUIDs of the demo seed. */
export const SEED_CLUSTER_IDS = {
  prod: SEED_CLUSTERS.prod.id,
  research: SEED_CLUSTERS.research.id,
  partner: SEED_CLUSTERS.partner.id,
} as const;

/** Label key and value of the default pools, which hold every node no other pool matches. */
export const DEFAULT_POOL_LABEL = { key: 'run.ai/node-pool', value: 'default' } as const;

const POOL_TYPE = 'node-pool-type';
const ACCEL = { [DEFAULT_ACCELERATION_LABEL]: 'true' };

function nodes(prefix: string, count: number, labels: Record<string, string>): NodeRecord[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i + 1}`, labels }));
}

/** The fixed node inventories; pools match nodes by label. */
function seedClusters(): ClusterRecord[] {
  return [
    {
      ...SEED_CLUSTERS.prod,
      nodes: [
        ...nodes('prod-gpu-a100', 4, { [POOL_TYPE]: 'a100', ...ACCEL }),
        ...nodes('prod-gpu-h100', 2, { [POOL_TYPE]: 'h100', ...ACCEL }),
        ...nodes('prod-gpu-t4', 2, { [POOL_TYPE]: 't4' }),
        ...nodes('prod-gpu-l4', 2, { [POOL_TYPE]: 'l4' }),
        ...nodes('prod-cpu', 3, { 'node-role': 'cpu-worker' }),
      ],
    },
    {
      ...SEED_CLUSTERS.research,
      nodes: [
        ...nodes('research-gpu-a100', 2, { [POOL_TYPE]: 'a100', ...ACCEL }),
        ...nodes('research-gpu-v100', 3, { 'gpu-type': 'v100' }),
        ...nodes('research-gpu-a10', 1, { [POOL_TYPE]: 'a10' }),
        ...nodes('research-cpu', 2, { 'node-role': 'cpu-worker' }),
      ],
    },
    {
      ...SEED_CLUSTERS.partner,
      nodes: [
        ...nodes('partner-gpu-a100', 2, { [POOL_TYPE]: 'a100', ...ACCEL }),
        ...nodes('partner-gpu-t4', 1, { [POOL_TYPE]: 't4' }),
        ...nodes('partner-cpu', 1, { 'node-role': 'cpu-worker' }),
      ],
    },
  ];
}

interface PoolSeed {
  clusterId: string;
  name: string;
  label?: [string, string];
  phase?: string | null;
  phaseMessage?: string;
  placement?: [PlacementValue, PlacementValue];
  detection?: AccelerationDetection;
  accelerationLabelKey?: string;
  swap?: boolean;
  nodeLevelScheduler?: boolean;
  createdAt: string;
  updatedAt?: string;
}

function poolFrom(id: number, tenantId: number, seed: PoolSeed): PoolRecord {
  const isDefault = seed.name === 'default';
  const [labelKey, labelValue] = seed.label ?? [DEFAULT_POOL_LABEL.key, DEFAULT_POOL_LABEL.value];
  const createdAt = Date.parse(seed.createdAt);
  const owner = tenantId === 1001 ? 'admin@lab.example.com' : 'ops@partner.example.com';
  return {
    id,
    tenantId,
    clusterId: seed.clusterId,
    name: seed.name,
    labelKey,
    labelValue,
    isDefault,
    overProvisioningRatio: POOL_DEFAULTS.overProvisioningRatio,
    placementStrategy: { cpu: seed.placement?.[0] ?? 'binpack', gpu: seed.placement?.[1] ?? 'binpack' },
    gpuNetworkAccelerationLabelKey: seed.accelerationLabelKey ?? null,
    gpuNetworkAccelerationDetection: seed.detection ?? POOL_DEFAULTS.gpuNetworkAccelerationDetection,
    gpuResourceOptimization: seed.swap
      ? {
          swapEnabled: true,
          cpuSwapMemorySize: POOL_DEFAULTS.cpuSwapMemorySize,
          reservedGpuMemoryForSwapOperations: POOL_DEFAULTS.reservedGpuMemoryForSwapOperations,
          nodeLevelSchedulerEnabled: seed.nodeLevelScheduler ?? false,
        }
      : { ...defaultGpuResourceOptimization(), nodeLevelSchedulerEnabled: seed.nodeLevelScheduler ?? false },
    createdBy: owner,
    createdAt,
    updatedBy: owner,
    updatedAt: seed.updatedAt ? Date.parse(seed.updatedAt) : createdAt,
    deletedBy: null,
    deletedAt: null,
    phase: seed.phase ?? null,
    phaseMessage: seed.phaseMessage ?? '',
    pending: null,
    pendingUntil: 0,
  };
}

const PROD = SEED_CLUSTERS.prod.id;
const RESEARCH = SEED_CLUSTERS.research.id;
const PARTNER = SEED_CLUSTERS.partner.id;

/** Tenant 1001's 12 demo pools: mostly Ready, three Empty, one Unschedulable. */
const TENANT_1001_POOLS: PoolSeed[] = [
  { clusterId: PROD, name: 'default', phase: 'Ready', createdAt: '2024-11-04T08:00:00.000Z' },
  {
    clusterId: PROD,
    name: 'a100',
    label: [POOL_TYPE, 'a100'],
    phase: 'Ready',
    placement: ['binpack', 'spread'],
    swap: true,
    createdAt: '2025-02-10T12:09:18.211Z',
    updatedAt: '2025-03-01T09:30:00.000Z',
  },
  {
    clusterId: PROD,
    name: 'h100',
    label: [POOL_TYPE, 'h100'],
    phase: 'Ready',
    detection: 'Use',
    nodeLevelScheduler: true,
    createdAt: '2025-03-15T16:45:00.000Z',
  },
  {
    clusterId: PROD,
    name: 't4-inference',
    label: [POOL_TYPE, 't4'],
    phase: 'Ready',
    placement: ['spread', 'spread'],
    detection: 'DontUse',
    createdAt: '2025-01-20T10:00:00.000Z',
  },
  {
    clusterId: PROD,
    name: 'l4-batch',
    label: [POOL_TYPE, 'l4'],
    phase: 'Unschedulable',
    phaseMessage: 'All nodes of the pool are cordoned',
    createdAt: '2025-04-02T07:20:00.000Z',
    updatedAt: '2025-05-12T11:00:00.000Z',
  },
  {
    clusterId: PROD,
    name: 'mi300',
    label: [POOL_TYPE, 'mi300'],
    phase: 'Empty',
    phaseMessage: 'No node carries the label node-pool-type=mi300',
    createdAt: '2025-05-30T13:00:00.000Z',
  },
  {
    clusterId: PROD,
    name: 'gh200-preview',
    label: [POOL_TYPE, 'gh200'],
    phase: 'Empty',
    phaseMessage: 'No node carries the label node-pool-type=gh200',
    detection: 'Use',
    accelerationLabelKey: 'nvidia.com/gh200-nvlink',
    createdAt: '2025-06-18T09:10:00.000Z',
  },
  { clusterId: RESEARCH, name: 'default', phase: 'Ready', createdAt: '2024-12-01T08:00:00.000Z' },
  {
    clusterId: RESEARCH,
    name: 'research-a100',
    label: [POOL_TYPE, 'a100'],
    phase: 'Ready',
    placement: ['spread', 'binpack'],
    createdAt: '2025-02-14T14:00:00.000Z',
  },
  {
    clusterId: RESEARCH,
    name: 'v100-legacy',
    label: ['gpu-type', 'v100'],
    phase: 'Ready',
    detection: 'DontUse',
    createdAt: '2024-12-20T18:30:00.000Z',
  },
  {
    clusterId: RESEARCH,
    name: 'a10-dev',
    label: [POOL_TYPE, 'a10'],
    phase: 'Ready',
    swap: true,
    nodeLevelScheduler: true,
    createdAt: '2025-03-03T08:15:00.000Z',
  },
  {
    clusterId: RESEARCH,
    name: 'b200-experimental',
    label: [POOL_TYPE, 'b200'],
    phase: 'Empty',
    phaseMessage: 'No node carries the label node-pool-type=b200',
    placement: ['spread', 'spread'],
    createdAt: '2025-07-07T07:07:07.000Z',
  },
];

/** Tenant 1002's 3 pools. */
const TENANT_1002_POOLS: PoolSeed[] = [
  { clusterId: PARTNER, name: 'default', phase: 'Ready', createdAt: '2025-01-05T09:00:00.000Z' },
  {
    clusterId: PARTNER,
    name: 'a100',
    label: [POOL_TYPE, 'a100'],
    phase: 'Ready',
    createdAt: '2025-02-01T09:00:00.000Z',
  },
  {
    clusterId: PARTNER,
    name: 't4',
    label: [POOL_TYPE, 't4'],
    phase: 'Ready',
    createdAt: '2025-02-02T09:00:00.000Z',
  },
];

const GENERATED_LABELS = ['a100', 'h100', 't4', 'l4', 'a10', 'mi300', 'b200'];
const GENERATED_BASE = Date.parse('2024-06-01T00:00:00.000Z');

/** `count` pools for tenant 1001 (its 2 default pools first), spread over its 2 clusters. */
function generatedPools(count: number): PoolSeed[] {
  const seeds: PoolSeed[] = [];
  for (let i = 0; i < count; i++) {
    const clusterId = i % 2 === 0 ? PROD : RESEARCH;
    const createdAt = new Date(GENERATED_BASE + i * 37 * 60_000).toISOString();
    if (i < 2) {
      seeds.push({ clusterId, name: 'default', createdAt });
      continue;
    }
    const h = hash32(`pool-${i}`);
    seeds.push({
      clusterId,
      name: `pool-${String(i).padStart(5, '0')}`,
      label: [POOL_TYPE, GENERATED_LABELS[h % GENERATED_LABELS.length] as string],
      placement: [(h >> 3) % 2 === 0 ? 'binpack' : 'spread', (h >> 4) % 2 === 0 ? 'binpack' : 'spread'],
      detection: (['Auto', 'Use', 'DontUse'] as const)[(h >> 5) % 3],
      swap: (h >> 7) % 4 === 0,
      nodeLevelScheduler: (h >> 9) % 3 === 0,
      createdAt,
      updatedAt: new Date(Date.parse(createdAt) + ((h >> 11) % 1000) * 60_000).toISOString(),
    });
  }
  return seeds;
}

/** The initial state of a simulator: clusters and pools, ids from 1 in order. */
export interface SeedData {
  clusters: ClusterRecord[];
  pools: PoolRecord[];
}

/**
 * Builds the deterministic seed. `generated` > 0 replaces tenant 1001's demo
 * pools with that many generated ones (phases then derive from the nodes).
 */
export function buildSeed(generated = 0): SeedData {
  const pools: PoolRecord[] = [];
  const tenant1001 = generated > 0 ? generatedPools(generated) : TENANT_1001_POOLS;
  for (const seed of tenant1001) pools.push(poolFrom(pools.length + 1, 1001, seed));
  for (const seed of TENANT_1002_POOLS) pools.push(poolFrom(pools.length + 1, 1002, seed));
  return { clusters: seedClusters(), pools };
}

import type { NodePool } from '../upstream/models.js';
import { builder } from './builder.js';
import {
  GpuNetworkAccelerationDetectionEnum,
  NodePoolPhaseEnum,
  PlacementStrategyKindEnum,
} from './enums.js';

type PlacementStrategy = NonNullable<NodePool['placementStrategy']>;
type GpuResourceOptimization = NonNullable<NodePool['gpuResourceOptimization']>;
type NodePoolStatus = NonNullable<NodePool['status']>;

export const PlacementStrategyRef = builder.objectRef<PlacementStrategy>('PlacementStrategy').implement({
  description: 'The scheduling strategy per resource kind.',
  fields: (t) => ({
    cpu: t.expose('cpu', {
      type: PlacementStrategyKindEnum,
      nullable: true,
      description: 'Strategy for CPU workloads.',
    }),
    gpu: t.expose('gpu', {
      type: PlacementStrategyKindEnum,
      nullable: true,
      description: 'Strategy for GPU workloads.',
    }),
  }),
});

export const GpuResourceOptimizationRef = builder
  .objectRef<GpuResourceOptimization>('GpuResourceOptimization')
  .implement({
    description: 'GPU memory swap and node-level scheduler settings.',
    fields: (t) => ({
      swapEnabled: t.exposeBoolean('swapEnabled', {
        nullable: true,
        description: 'Whether GPU memory swap is enabled on the pool.',
      }),
      cpuSwapMemorySize: t.exposeString('cpuSwapMemorySize', {
        nullable: true,
        description: 'Size of the CPU memory used for swap, e.g. `100G`. Only set when swap is enabled.',
      }),
      reservedGpuMemoryForSwapOperations: t.exposeString('reservedGpuMemoryForSwapOperations', {
        nullable: true,
        description: 'GPU memory reserved for swap operations, e.g. `2G`. Only set when swap is enabled.',
      }),
      nodeLevelSchedulerEnabled: t.exposeBoolean('nodeLevelSchedulerEnabled', {
        nullable: true,
        description: "Whether the node-level scheduler is enabled (replaces 'overProvisioningRatio').",
      }),
    }),
  });

export const NodePoolStatusRef = builder.objectRef<NodePoolStatus>('NodePoolStatus').implement({
  description: 'What the cluster has synced of the pool: its nodes and the settings in force.',
  fields: (t) => ({
    nodes: t.exposeStringList('nodes', { description: 'Names of the nodes in the pool.' }),
    gpuNetworkAccelerationDetected: t.exposeBoolean('gpuNetworkAccelerationDetected', {
      nullable: true,
      description: 'Whether GPU network acceleration was detected on some of the nodes.',
    }),
    labelKey: t.exposeString('labelKey', {
      nullable: true,
      description: 'Label key in force on the cluster.',
    }),
    labelValue: t.exposeString('labelValue', {
      nullable: true,
      description: 'Label value in force on the cluster.',
    }),
    placementStrategy: t.expose('placementStrategy', {
      type: PlacementStrategyRef,
      nullable: true,
      description: 'Placement strategy in force on the cluster.',
    }),
    gpuNetworkAccelerationLabelKey: t.exposeString('gpuNetworkAccelerationLabelKey', {
      nullable: true,
      description: 'Label key used to detect GPU network acceleration.',
    }),
    gpuNetworkAccelerationDetection: t.expose('gpuNetworkAccelerationDetection', {
      type: GpuNetworkAccelerationDetectionEnum,
      nullable: true,
      description: 'Detection mode in force on the cluster.',
    }),
    gpuResourceOptimization: t.expose('gpuResourceOptimization', {
      type: GpuResourceOptimizationRef,
      nullable: true,
      description: 'GPU resource optimisation in force on the cluster.',
    }),
    overProvisioningRatio: t.exposeInt('overProvisioningRatio', {
      nullable: true,
      deprecationReason: 'Use gpuResourceOptimization.nodeLevelSchedulerEnabled.',
      description: 'Over-provisioning ratio in force on the cluster (1..5).',
    }),
  }),
});

/** The NodePool type; fields that need I/O (metrics) are attached in their own files. */
export const NodePoolRef = builder.objectRef<NodePool>('NodePool');

builder.node(NodePoolRef, {
  description: 'A Run:ai node pool: a set of nodes grouped by a label, scheduled as one bucket of resources.',
  id: { resolve: (pool) => pool.id, description: 'Globally unique id, for `node(id:)` refetch.' },
  // One promise per id, so an error on one id fails only that node.
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.nodePoolById.load(id)),
  isTypeOf: (value) =>
    typeof value === 'object' && value !== null && 'labelKey' in value && 'tenantId' in value,
  fields: (t) => ({
    runaiId: t.exposeString('id', { description: 'The raw Run:ai id of the pool, e.g. `"5"`.' }),
    name: t.exposeString('name', { description: 'Pool name, unique within its cluster.' }),
    clusterId: t.expose('clusterId', { type: 'UUID', description: 'Id of the cluster the pool belongs to.' }),
    clusterName: t.exposeString('clusterName', { description: 'Name of the cluster the pool belongs to.' }),
    tenantId: t.exposeInt('tenantId', { description: 'Run:ai tenant that owns the pool.' }),
    isDefault: t.exposeBoolean('isDefault', {
      description: 'Whether this is the cluster default pool, holding every node no other pool matches.',
    }),
    labelKey: t.exposeString('labelKey', {
      description: 'Node label key that selects the nodes of the pool.',
    }),
    labelValue: t.exposeString('labelValue', {
      description: 'Node label value that selects the nodes of the pool.',
    }),
    phase: t.expose('phase', {
      type: NodePoolPhaseEnum,
      nullable: true,
      description: 'Lifecycle phase. Null when Run:ai reports a phase this gateway does not know.',
    }),
    phaseMessage: t.exposeString('phaseMessage', {
      nullable: true,
      description: 'Why the pool is in its phase.',
    }),
    placementStrategy: t.expose('placementStrategy', {
      type: PlacementStrategyRef,
      nullable: true,
      description: 'Scheduling strategy per resource kind.',
    }),
    gpuNetworkAccelerationDetection: t.expose('gpuNetworkAccelerationDetection', {
      type: GpuNetworkAccelerationDetectionEnum,
      nullable: true,
      description: 'How GPU network acceleration is detected on the nodes.',
    }),
    gpuNetworkAccelerationLabelKey: t.exposeString('gpuNetworkAccelerationLabelKey', {
      nullable: true,
      description: 'Node label key that marks GPU network acceleration.',
    }),
    gpuResourceOptimization: t.expose('gpuResourceOptimization', {
      type: GpuResourceOptimizationRef,
      nullable: true,
      description: 'GPU memory swap and node-level scheduler settings.',
    }),
    overProvisioningRatio: t.exposeInt('overProvisioningRatio', {
      nullable: true,
      deprecationReason: 'Use gpuResourceOptimization.nodeLevelSchedulerEnabled.',
      description: 'GPU over-provisioning ratio (1..5).',
    }),
    status: t.expose('status', {
      type: NodePoolStatusRef,
      nullable: true,
      description: 'What the cluster has synced: nodes, detection result and the settings in force.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the pool was created.' }),
    createdBy: t.exposeString('createdBy', { description: 'Who created the pool.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the pool last changed.' }),
    updatedBy: t.exposeString('updatedBy', { description: 'Who last changed the pool.' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When deletion was requested; set while the pool is Deleting.',
    }),
    deletedBy: t.exposeString('deletedBy', { nullable: true, description: 'Who requested deletion.' }),
  }),
});

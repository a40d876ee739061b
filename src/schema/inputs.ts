import { builder } from './builder.js';
import { GpuNetworkAccelerationDetectionEnum, NodePoolPhaseEnum } from './enums.js';

export const StringFilter = builder.inputType('StringFilter', {
  description:
    'Conditions on a text field; all given conditions must hold. Values are 1 to 317 characters and cannot contain a comma.',
  fields: (t) => ({
    eq: t.string({ description: 'Equal to.' }),
    ne: t.string({ description: 'Not equal to.' }),
    contains: t.string({ description: 'Contains.' }),
    notContains: t.string({ description: 'Does not contain.' }),
    startsWith: t.string({ description: 'Starts with.' }),
    endsWith: t.string({ description: 'Ends with.' }),
  }),
});

export const UUIDFilter = builder.inputType('UUIDFilter', {
  description: 'Conditions on an id field.',
  fields: (t) => ({
    eq: t.field({ type: 'UUID', description: 'Equal to.' }),
    ne: t.field({ type: 'UUID', description: 'Not equal to.' }),
  }),
});

export const DateTimeFilter = builder.inputType('DateTimeFilter', {
  description: 'Conditions on a timestamp; all given conditions must hold.',
  fields: (t) => ({
    eq: t.field({ type: 'DateTime', description: 'At exactly this instant.' }),
    ne: t.field({ type: 'DateTime', description: 'Not at this instant.' }),
    gte: t.field({ type: 'DateTime', description: 'At or after this instant.' }),
    lte: t.field({ type: 'DateTime', description: 'At or before this instant.' }),
  }),
});

export const NodePoolPhaseFilter = builder.inputType('NodePoolPhaseFilter', {
  description: 'Conditions on the phase.',
  fields: (t) => ({
    eq: t.field({ type: NodePoolPhaseEnum, description: 'In this phase.' }),
    ne: t.field({ type: NodePoolPhaseEnum, description: 'Not in this phase.' }),
  }),
});

export const GpuNetworkAccelerationDetectionFilter = builder.inputType(
  'GpuNetworkAccelerationDetectionFilter',
  {
    description: 'Conditions on the GPU network acceleration detection mode.',
    fields: (t) => ({
      eq: t.field({ type: GpuNetworkAccelerationDetectionEnum, description: 'With this mode.' }),
      ne: t.field({ type: GpuNetworkAccelerationDetectionEnum, description: 'Not with this mode.' }),
    }),
  },
);

export const NodePoolFilter = builder.inputType('NodePoolFilter', {
  description:
    'Which node pools to return. All given conditions must hold (Run:ai ANDs them); each is sent to Run:ai as a `filterBy` entry.',
  fields: (t) => ({
    name: t.field({ type: StringFilter, description: 'Conditions on the pool name.' }),
    clusterId: t.field({ type: UUIDFilter, description: 'Conditions on the cluster id.' }),
    phase: t.field({ type: NodePoolPhaseFilter, description: 'Conditions on the phase.' }),
    createdAt: t.field({ type: DateTimeFilter, description: 'Conditions on the creation time.' }),
    updatedAt: t.field({ type: DateTimeFilter, description: 'Conditions on the last change.' }),
    gpuNetworkAccelerationDetection: t.field({
      type: GpuNetworkAccelerationDetectionFilter,
      description: 'Conditions on the GPU network acceleration detection mode.',
    }),
    gpuNetworkAccelerationLabelKey: t.field({
      type: StringFilter,
      description: 'Conditions on the GPU network acceleration label key.',
    }),
    gpuNetworkAccelerationDetected: t.boolean({
      description: 'Whether GPU network acceleration was detected on the nodes.',
    }),
    swapEnabled: t.boolean({ description: 'Whether GPU memory swap is enabled.' }),
    nodeLevelSchedulerEnabled: t.boolean({ description: 'Whether the node-level scheduler is enabled.' }),
  }),
});

export const NodePoolSortFieldEnum = builder.enumType('NodePoolSortField', {
  description: 'Fields Run:ai can sort node pools by.',
  values: {
    NAME: { value: 'name', description: 'Pool name.' },
    PHASE: { value: 'phase', description: 'Lifecycle phase.' },
    CLUSTER_ID: { value: 'clusterId', description: 'Cluster id.' },
    CREATED_AT: { value: 'createdAt', description: 'Creation time.' },
    UPDATED_AT: { value: 'updatedAt', description: 'Last change.' },
    GPU_NETWORK_ACCELERATION_DETECTION: {
      value: 'gpuNetworkAccelerationDetection',
      description: 'GPU network acceleration detection mode.',
    },
    GPU_NETWORK_ACCELERATION_DETECTED: {
      value: 'gpuNetworkAccelerationDetected',
      description: 'Whether GPU network acceleration was detected.',
    },
    GPU_NETWORK_ACCELERATION_LABEL_KEY: {
      value: 'gpuNetworkAccelerationLabelKey',
      description: 'GPU network acceleration label key.',
    },
    SWAP_ENABLED: { value: 'swapEnabled', description: 'Whether GPU memory swap is enabled.' },
    NODE_LEVEL_SCHEDULER_ENABLED: {
      value: 'nodeLevelSchedulerEnabled',
      description: 'Whether the node-level scheduler is enabled.',
    },
  } as const,
});

export const SortDirectionEnum = builder.enumType('SortDirection', {
  description: 'Sort direction.',
  values: {
    ASC: { value: 'asc', description: 'Ascending.' },
    DESC: { value: 'desc', description: 'Descending.' },
  } as const,
});

export const NodePoolOrder = builder.inputType('NodePoolOrder', {
  description: 'How to order node pools.',
  fields: (t) => ({
    field: t.field({ type: NodePoolSortFieldEnum, required: true, description: 'The field to sort by.' }),
    direction: t.field({
      type: SortDirectionEnum,
      defaultValue: 'asc',
      description: 'The direction; ascending by default.',
    }),
  }),
});

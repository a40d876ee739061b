import type { InputFieldBuilder } from '@pothos/core';
import { z } from 'zod';
import { LIMITS } from '../domain/limits.js';
import { text } from './argument-rules.js';
import { builder } from './builder.js';
import { GpuNetworkAccelerationDetectionEnum, PlacementStrategyKindEnum } from './enums.js';

/** Run:ai's rule for pool names. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
/** The spec's pattern for swap sizes such as `100G` or `2Gi`. */
export const SIZE_PATTERN = /^([+]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const NAME_MESSAGE = 'must be lowercase letters, digits and -, starting with a letter';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

export const PlacementStrategyInput = builder.inputType('PlacementStrategyInput', {
  description: 'The scheduling strategy per resource kind.',
  fields: (t) => ({
    cpu: t.field({ type: PlacementStrategyKindEnum, description: 'Strategy for CPU workloads.' }),
    gpu: t.field({ type: PlacementStrategyKindEnum, description: 'Strategy for GPU workloads.' }),
  }),
});

export const GpuResourceOptimizationInput = builder.inputType('GpuResourceOptimizationInput', {
  description:
    'GPU memory swap and node-level scheduler settings. Swap sizes need `swapEnabled: true` alongside.',
  fields: (t) => ({
    swapEnabled: t.boolean({ description: 'Enable GPU memory swap.' }),
    cpuSwapMemorySize: t.string({
      description: 'CPU memory used for swap, e.g. `100G`.',
    }),
    reservedGpuMemoryForSwapOperations: t.string({
      description: 'GPU memory reserved for swap operations, e.g. `2G`.',
    }),
    nodeLevelSchedulerEnabled: t.boolean({ description: 'Enable the node-level scheduler.' }),
  }),
});

/** The fields every create and update input shares: what a pool's owner may change. */
function updatableFields(t: InputFieldBuilder<Types, 'InputObject'>) {
  return {
    placementStrategy: t.field({
      type: PlacementStrategyInput,
      description: 'Scheduling strategy per resource kind.',
    }),
    gpuNetworkAccelerationDetection: t.field({
      type: GpuNetworkAccelerationDetectionEnum,
      description: 'How GPU network acceleration is detected (default Auto).',
    }),
    gpuNetworkAccelerationLabelKey: t.string({
      description: 'Node label key that marks GPU network acceleration.',
    }),
    gpuResourceOptimization: t.field({
      type: GpuResourceOptimizationInput,
      description: 'GPU memory swap and node-level scheduler settings.',
    }),
    overProvisioningRatio: t.int({
      description: 'GPU over-provisioning ratio, 1..5.',
      deprecationReason: 'Use gpuResourceOptimization.nodeLevelSchedulerEnabled.',
    }),
  };
}

export const CreateNodePoolInput = builder.inputType('CreateNodePoolInput', {
  description: 'A new node pool. Its name and cluster cannot change later.',
  fields: (t) => ({
    name: t.string({
      required: true,
      description: 'Lowercase letters, digits and `-`, starting with a letter; unique in the cluster.',
    }),
    clusterId: t.field({ type: 'UUID', required: true, description: 'The cluster to create the pool in.' }),
    labelKey: t.string({
      required: true,
      description: 'Node label key that selects the nodes.',
    }),
    labelValue: t.string({
      required: true,
      description: 'Node label value that selects the nodes.',
    }),
    ...updatableFields(t),
  }),
});

const updateDocs = {
  labelKey: 'Node label key that selects the nodes.',
  labelValue: 'Node label value that selects the nodes.',
};

/** The optional node label of a pool, for inputs that change an existing pool. */
function labelFields(t: InputFieldBuilder<Types, 'InputObject'>) {
  return {
    labelKey: t.string({ description: updateDocs.labelKey }),
    labelValue: t.string({ description: updateDocs.labelValue }),
  };
}

export const UpdateNodePoolInput = builder.inputType('UpdateNodePoolInput', {
  description:
    'The new settings of a pool, replacing the current ones (PUT): a field left out returns to its default.',
  fields: (t) => ({ ...labelFields(t), ...updatableFields(t) }),
});

export const PatchNodePoolInput = builder.inputType('PatchNodePoolInput', {
  description:
    'Changes to a pool (PATCH): only the fields given are sent; an explicit null is sent as null and returns the field to its default.',
  fields: (t) => ({ ...labelFields(t), ...updatableFields(t) }),
});

/** The settings the deprecated API knows besides the label. */
function legacySettings(t: InputFieldBuilder<Types, 'InputObject'>) {
  return {
    overProvisioningRatio: t.int({ description: 'GPU over-provisioning ratio, 1..5.' }),
    placementStrategy: t.field({
      type: PlacementStrategyInput,
      description: 'Scheduling strategy per resource kind.',
    }),
  };
}

export const LegacyCreateNodePoolInput = builder.inputType('LegacyCreateNodePoolInput', {
  description: 'A new node pool for the deprecated `/v1/k8s` API.',
  fields: (t) => ({
    name: t.string({
      required: true,
      description: 'Lowercase letters, digits and `-`, starting with a letter.',
    }),
    labelKey: t.string({ required: true, description: updateDocs.labelKey }),
    labelValue: t.string({ required: true, description: updateDocs.labelValue }),
    ...legacySettings(t),
  }),
});

export const LegacyUpdateNodePoolInput = builder.inputType('LegacyUpdateNodePoolInput', {
  description: 'New settings of a pool for the deprecated `/v1/k8s` API.',
  fields: (t) => ({ ...labelFields(t), ...legacySettings(t) }),
});

// ---------------------------------------------------------------------------
// The rules of these inputs (checked before the mutation runs; see ./argument-rules.ts).

const optional = <T extends z.ZodType>(rule: T) => rule.nullish();
const name = text(LIMITS.name).regex(NAME_PATTERN, NAME_MESSAGE);
const labelKey = text(LIMITS.labelKey);
const labelValue = text(LIMITS.labelValue);
const size = (example: string) => text(LIMITS.size).regex(SIZE_PATTERN, `must be a size such as ${example}`);
const ratio = z.number().int().min(1, 'must be at least 1').max(5, 'must be at most 5');

const gpuResourceOptimizationRules = z
  .object({
    cpuSwapMemorySize: optional(size('100G or 2Gi')),
    reservedGpuMemoryForSwapOperations: optional(size('2G or 512Mi')),
  })
  .loose()
  .refine(
    (o) =>
      o['swapEnabled'] === true ||
      (o.cpuSwapMemorySize == null && o.reservedGpuMemoryForSwapOperations == null),
    { message: 'swap sizes are allowed only when swapEnabled is true', path: ['swapEnabled'] },
  );

const updatableRules = {
  gpuNetworkAccelerationLabelKey: optional(text(LIMITS.labelKey, { allowEmpty: true })),
  gpuResourceOptimization: optional(gpuResourceOptimizationRules),
  overProvisioningRatio: optional(ratio),
};

/** Rules of CreateNodePoolInput. */
export const createNodePoolRules = z.object({ name, labelKey, labelValue, ...updatableRules });

/** Rules of UpdateNodePoolInput. */
export const updateNodePoolRules = z.looseObject({
  labelKey: optional(labelKey),
  labelValue: optional(labelValue),
  ...updatableRules,
});

/** Rules of PatchNodePoolInput: those of an update, and at least one field given. */
export const patchNodePoolRules = updateNodePoolRules.refine((input) => Object.keys(input).length > 0, {
  message: 'give at least one field to change',
});

/** Rules of LegacyCreateNodePoolInput. */
export const legacyCreateNodePoolRules = z.object({
  name,
  labelKey,
  labelValue,
  overProvisioningRatio: optional(ratio),
});

/** Rules of LegacyUpdateNodePoolInput. */
export const legacyUpdateNodePoolRules = z.object({
  labelKey: optional(labelKey),
  labelValue: optional(labelValue),
  overProvisioningRatio: optional(ratio),
});

/** Rules of a label key and value given as separate arguments. */
export const labelRules = { labelKey, labelValue };

import {
  createNodePool,
  deleteNodePool,
  legacyCreateNodePool,
  legacyDeleteNodePool,
  legacyUpdateNodePool,
  legacyUpdateNodePoolLabels,
  patchNodePool,
  updateNodePool,
} from '../resolvers/mutations.js';
import type { LegacyNodePool, NodePool } from '../upstream/models.js';
import { argumentRules, legacyId, nodePoolId, typed } from './argument-rules.js';
import { builder } from './builder.js';
import { MUTATION_ERRORS } from './errors.js';
import { LegacyNodePoolRef } from './legacy-node-pool.js';
import {
  CreateNodePoolInput,
  createNodePoolRules,
  LegacyCreateNodePoolInput,
  LegacyUpdateNodePoolInput,
  labelRules,
  legacyCreateNodePoolRules,
  legacyUpdateNodePoolRules,
  PatchNodePoolInput,
  patchNodePoolRules,
  UpdateNodePoolInput,
  updateNodePoolRules,
} from './mutation-inputs.js';
import { NodePoolRef } from './node-pool.js';
import { upstreamCalls } from './upstream-calls.js';

builder.mutationType({
  description: 'Changes to node pools. Refusals come back as typed errors (see `Error`).',
});

const CreateNodePoolPayload = builder.objectRef<{ nodePool: NodePool }>('CreateNodePoolPayload').implement({
  description: 'The pool Run:ai created (phase Creating until the cluster syncs it).',
  fields: (t) => ({ nodePool: t.expose('nodePool', { type: NodePoolRef, description: 'The new pool.' }) }),
});

const UpdateNodePoolPayload = builder.objectRef<{ nodePool: NodePool }>('UpdateNodePoolPayload').implement({
  description: 'The pool after the change (phase Updating until the cluster syncs it).',
  fields: (t) => ({
    nodePool: t.expose('nodePool', { type: NodePoolRef, description: 'The changed pool.' }),
  }),
});

const DeleteNodePoolPayload = builder
  .objectRef<{ accepted: boolean; nodePool: NodePool | null }>('DeleteNodePoolPayload')
  .implement({
    description: 'Run:ai accepted the deletion; the pool goes through Deleting and then disappears.',
    fields: (t) => ({
      accepted: t.exposeBoolean('accepted', { description: 'Whether Run:ai accepted the deletion.' }),
      nodePool: t.expose('nodePool', {
        type: NodePoolRef,
        nullable: true,
        description: 'The pool as it was last seen, before the deletion.',
      }),
    }),
  });

const LegacyCreateNodePoolPayload = builder
  .objectRef<{ nodePool: LegacyNodePool | null }>('LegacyCreateNodePoolPayload')
  .implement({
    description: 'The pool the deprecated API created.',
    fields: (t) => ({
      nodePool: t.expose('nodePool', {
        type: LegacyNodePoolRef,
        nullable: true,
        description: 'The new pool, when Run:ai returned it.',
      }),
    }),
  });

const LegacyAcceptedPayload = builder.objectRef<{ accepted: boolean }>('LegacyAcceptedPayload').implement({
  description: 'The deprecated API accepted the change (HTTP 202); it takes effect asynchronously.',
  fields: (t) => ({ accepted: t.exposeBoolean('accepted', { description: 'Whether Run:ai accepted it.' }) }),
});

/** Typed errors as data, and a result union named after the mutation. */
const errorsOf = (name: string) => ({
  types: MUTATION_ERRORS,
  directResult: true,
  union: {
    name,
    description: `The outcome of ${name.replace(/Result$/, '')}: its payload or a typed error.`,
  },
});

const ID_DOC = 'The pool: its global id or its raw Run:ai id.';

const LEGACY = 'Deprecated Run:ai /v1/k8s endpoint';

builder.mutationFields((t) => ({
  createNodePool: t.field({
    type: CreateNodePoolPayload,
    description: 'Creates a node pool. Calls `POST /api/v1/node-pools`; never retried.',
    errors: errorsOf('CreateNodePoolResult'),
    args: { input: t.arg({ type: CreateNodePoolInput, required: true, description: 'The new pool.' }) },
    extensions: { ...argumentRules({ input: createNodePoolRules }), ...upstreamCalls(1) },
    resolve: (_root, args, ctx) => createNodePool(args.input, ctx),
  }),
  updateNodePool: t.field({
    type: UpdateNodePoolPayload,
    description:
      'Replaces the settings of a pool (PUT): fields left out return to their defaults. Calls `PUT /api/v1/node-pools/{id}`.',
    errors: errorsOf('UpdateNodePoolResult'),
    args: {
      id: t.arg.id({ required: true, description: ID_DOC }),
      input: t.arg({ type: UpdateNodePoolInput, required: true, description: 'The new settings.' }),
    },
    extensions: { ...argumentRules({ id: nodePoolId, input: updateNodePoolRules }), ...upstreamCalls(1) },
    resolve: (_root, args, ctx) => updateNodePool(String(args.id), args.input, ctx),
  }),
  patchNodePool: t.field({
    type: UpdateNodePoolPayload,
    description:
      'Changes some settings of a pool (PATCH): only the fields given are sent, and an explicit null is sent as null. Calls `PATCH /api/v1/node-pools/{id}`; never retried.',
    errors: errorsOf('PatchNodePoolResult'),
    args: {
      id: t.arg.id({ required: true, description: ID_DOC }),
      input: t.arg({ type: PatchNodePoolInput, required: true, description: 'The changes.' }),
    },
    extensions: { ...argumentRules({ id: nodePoolId, input: patchNodePoolRules }), ...upstreamCalls(1) },
    resolve: (_root, args, ctx) => patchNodePool(String(args.id), args.input, ctx),
  }),
  deleteNodePool: t.field({
    type: DeleteNodePoolPayload,
    description:
      'Deletes a pool. The cluster default pool cannot be deleted. Calls `DELETE /api/v1/node-pools/{id}` (202, then Deleting, then gone).',
    errors: errorsOf('DeleteNodePoolResult'),
    args: { id: t.arg.id({ required: true, description: ID_DOC }) },
    extensions: { ...argumentRules({ id: nodePoolId }), ...upstreamCalls(2) },
    resolve: (_root, args, ctx) => deleteNodePool(String(args.id), ctx),
  }),
  legacyCreateNodePool: t.field({
    type: LegacyCreateNodePoolPayload,
    deprecationReason: 'Use createNodePool.',
    description: `Creates a pool through the ${LEGACY} \`POST /v1/k8s/clusters/{clusterId}/node-pools\`.`,
    errors: errorsOf('LegacyCreateNodePoolResult'),
    args: {
      clusterId: t.arg({ type: 'UUID', required: true, description: 'The cluster.' }),
      input: t.arg({ type: LegacyCreateNodePoolInput, required: true, description: 'The new pool.' }),
    },
    extensions: {
      ...argumentRules({ clusterId: typed, input: legacyCreateNodePoolRules }),
      ...upstreamCalls(1),
    },
    resolve: (_root, args, ctx) => legacyCreateNodePool(args.clusterId, args.input, ctx),
  }),
  legacyUpdateNodePool: t.field({
    type: LegacyAcceptedPayload,
    deprecationReason: 'Use patchNodePool.',
    description: `Updates a pool through the ${LEGACY} \`PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}\`.`,
    errors: errorsOf('LegacyUpdateNodePoolResult'),
    args: {
      clusterId: t.arg({ type: 'UUID', required: true, description: 'The cluster.' }),
      id: t.arg.int({ required: true, description: 'The integer pool id.' }),
      input: t.arg({ type: LegacyUpdateNodePoolInput, required: true, description: 'The new settings.' }),
    },
    extensions: {
      ...argumentRules({ clusterId: typed, id: legacyId, input: legacyUpdateNodePoolRules }),
      ...upstreamCalls(1),
    },
    resolve: (_root, args, ctx) => legacyUpdateNodePool(args.clusterId, args.id, args.input, ctx),
  }),
  legacyUpdateNodePoolLabels: t.field({
    type: LegacyAcceptedPayload,
    deprecationReason: 'Use patchNodePool with labelKey and labelValue.',
    description: `Changes the node label of a pool through the ${LEGACY} \`PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}/labels\`.`,
    errors: errorsOf('LegacyUpdateNodePoolLabelsResult'),
    args: {
      clusterId: t.arg({ type: 'UUID', required: true, description: 'The cluster.' }),
      id: t.arg.int({ required: true, description: 'The integer pool id.' }),
      labelKey: t.arg.string({ required: true, description: 'The new label key.' }),
      labelValue: t.arg.string({ required: true, description: 'The new label value.' }),
    },
    extensions: { ...argumentRules({ clusterId: typed, id: legacyId, ...labelRules }), ...upstreamCalls(1) },
    resolve: (_root, args, ctx) =>
      legacyUpdateNodePoolLabels(
        args.clusterId,
        args.id,
        { labelKey: args.labelKey, labelValue: args.labelValue },
        ctx,
      ),
  }),
  legacyDeleteNodePool: t.field({
    type: LegacyAcceptedPayload,
    deprecationReason: 'Use deleteNodePool.',
    description: `Deletes a pool through the ${LEGACY} \`DELETE /v1/k8s/clusters/{clusterId}/node-pools/{id}\`.`,
    errors: errorsOf('LegacyDeleteNodePoolResult'),
    args: {
      clusterId: t.arg({ type: 'UUID', required: true, description: 'The cluster.' }),
      id: t.arg.int({ required: true, description: 'The integer pool id.' }),
    },
    extensions: { ...argumentRules({ clusterId: typed, id: legacyId }), ...upstreamCalls(1) },
    resolve: (_root, args, ctx) => legacyDeleteNodePool(args.clusterId, args.id, ctx),
  }),
}));

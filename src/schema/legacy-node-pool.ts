import { currentNodePool } from '../resolvers/legacy.js';
import type { LegacyNodePool } from '../upstream/models.js';
import { builder } from './builder.js';
import { NodePoolPhaseEnum } from './enums.js';
import { NodePoolRef, PlacementStrategyRef } from './node-pool.js';
import { upstreamCalls } from './upstream-calls.js';

export const LegacyNodePoolRef = builder.objectRef<LegacyNodePool>('LegacyNodePool').implement({
  description:
    'A node pool as the deprecated `/v1/k8s` endpoints show it (integer id, phase in `status`). Prefer NodePool.',
  fields: (t) => ({
    id: t.exposeInt('id', { description: 'The integer id; the same number as NodePool.runaiId.' }),
    name: t.exposeString('name', { description: 'Pool name.' }),
    clusterId: t.expose('clusterId', { type: 'UUID', nullable: true, description: 'Cluster id.' }),
    labelKey: t.exposeString('labelKey', { nullable: true, description: 'Node label key of the pool.' }),
    labelValue: t.exposeString('labelValue', {
      nullable: true,
      description: 'Node label value of the pool.',
    }),
    overProvisioningRatio: t.exposeInt('overProvisioningRatio', {
      nullable: true,
      description: 'GPU over-provisioning ratio.',
    }),
    placementStrategy: t.expose('placementStrategy', {
      type: PlacementStrategyRef,
      nullable: true,
      description: 'Scheduling strategy per resource kind.',
    }),
    status: t.expose('phase', {
      type: NodePoolPhaseEnum,
      nullable: true,
      description: 'The phase (the legacy API calls it status).',
    }),
    statusMessage: t.exposeString('phaseMessage', {
      nullable: true,
      description: 'Why the pool is in its phase.',
    }),
    nodes: t.exposeStringList('nodes', { description: 'Names of the nodes in the pool.' }),
    isDefault: t.exposeBoolean('isDefault', {
      nullable: true,
      description: 'Whether this is the default pool.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'Creation time.' }),
    createdBy: t.exposeString('createdBy', { nullable: true, description: 'Who created the pool.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'Last change.' }),
    updatedBy: t.exposeString('updatedBy', { nullable: true, description: 'Who last changed the pool.' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When deletion was requested.',
    }),
    nodePool: t.field({
      type: NodePoolRef,
      nullable: true,
      description: 'The same pool through the current API, with every field and metrics.',
      extensions: upstreamCalls(1),
      resolve: (pool, _args, ctx) => currentNodePool(pool, ctx),
    }),
  }),
});

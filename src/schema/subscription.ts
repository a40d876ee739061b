import { z } from 'zod';
import type { PhaseChange } from '../live/phase-diff.js';
import type { WatcherEvent } from '../live/phase-watcher.js';
import { nodePoolGlobalId } from '../resolvers/ids.js';
import { phaseChangeOf, subscribePhaseChanges } from '../resolvers/subscriptions.js';
import { argumentRules, enumList, idList, nodePoolId } from './argument-rules.js';
import { builder } from './builder.js';
import { NodePoolPhaseEnum } from './enums.js';
import { NodePoolRef } from './node-pool.js';

const PhaseTransitionFilter = builder.inputType('PhaseTransitionFilter', {
  description:
    'Which transitions to receive. A pool new to the gateway has no previous phase and never matches `from`.',
  fields: (t) => ({
    from: t.field({ type: [NodePoolPhaseEnum], description: 'Only changes away from one of these phases.' }),
    to: t.field({ type: [NodePoolPhaseEnum], description: 'Only changes into one of these phases.' }),
  }),
});

const PhaseChangeFilter = builder.inputType('PhaseChangeFilter', {
  description: 'Which phase changes to receive; all given conditions must hold.',
  fields: (t) => ({
    ids: t.idList({ description: 'Only these pools (global ids or raw Run:ai ids), at most 500.' }),
    clusterId: t.field({ type: 'UUID', description: 'Only pools of this cluster.' }),
    phases: t.field({ type: PhaseTransitionFilter, description: 'Only these transitions.' }),
  }),
});

const NodePoolPhaseChangeRef = builder.objectRef<PhaseChange>('NodePoolPhaseChange').implement({
  description: 'A node pool moved from one phase to another, as the gateway observed it.',
  fields: (t) => ({
    nodePoolId: t.id({
      description: 'Global id of the pool (also for a deleted pool).',
      resolve: (change) => nodePoolGlobalId(change.poolId),
    }),
    nodePool: t.field({
      type: NodePoolRef,
      nullable: true,
      description: 'The pool as last seen; for a deleted pool, its state before it vanished.',
      resolve: (change) => change.pool,
    }),
    previousPhase: t.expose('previousPhase', {
      type: NodePoolPhaseEnum,
      nullable: true,
      description: 'The phase before; null for a pool the gateway had not seen since the subscription began.',
    }),
    phase: t.expose('phase', {
      type: NodePoolPhaseEnum,
      description: 'The new phase; Deleted once the pool is gone.',
    }),
    observedAt: t.expose('observedAt', {
      type: 'DateTime',
      description: 'When the gateway observed the change.',
    }),
  }),
});

builder.subscriptionType({
  description: 'Live updates, over graphql-ws (`graphql-transport-ws`) or server-sent events.',
});

builder.subscriptionField('nodePoolPhaseChanged', (t) =>
  t.field({
    type: NodePoolPhaseChangeRef,
    description:
      'Phase changes of the pools visible to the caller. The gateway polls Run:ai once per credential, however many subscribers, and polls sooner after a mutation made through it.',
    args: { filter: t.arg({ type: PhaseChangeFilter, description: 'Which changes to receive.' }) },
    extensions: argumentRules({
      filter: z
        .object({
          ids: idList(nodePoolId).nullish(),
          phases: z.object({ from: enumList.nullish(), to: enumList.nullish() }).nullish(),
        })
        .nullish(),
    }),
    subscribe: (_root, args, ctx) => subscribePhaseChanges(args.filter, ctx),
    resolve: (event: WatcherEvent) => phaseChangeOf(event),
  }),
);

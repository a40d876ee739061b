/** The change feed's types: its events (phase changes, pool changes), their kinds, filters and cursors. */
import { z } from 'zod';
import { EVENT_CURSOR_PATTERN } from '../domain/cursors.js';
import { nodePoolGlobalId } from '../domain/ids.js';
import type { PhaseChangePayload, PoolChangePayload } from '../resolvers/subscriptions.js';
import { builder } from './builder.js';
import { NodePoolPhaseEnum } from './enums.js';
import { NodePoolRef } from './node-pool.js';

/** How many events a subscriber missed: its queue was full (it read slower than events came). */
export const MISSED_EVENTS_DOC =
  'Events dropped just before this one because the subscriber read slower than they came (its queue holds 100 events unless the gateway is tuned otherwise); 0 when none. After a gap, refetch what you show.';

const EVENT_POOL_ID_DOC = 'Global id of the pool (also for a deleted pool); null for a RESYNC.';

/** The global id of an event's pool; a RESYNC has none. */
const eventPoolId = (change: { poolId: string | null }) =>
  change.poolId === null ? null : nodePoolGlobalId(change.poolId);

const CURSOR_DOC =
  "This event's place in the caller's change feed: pass it as `after` (over SSE, a reconnecting EventSource sends it as Last-Event-ID) to receive the events that follow it. Opaque and ordered; null for an event that was not logged.";

export const AFTER_DOC =
  'Resume after this cursor: the logged events that followed it come first, in order, then live ones. When the log no longer holds it (the gateway keeps 1,000 events, for an hour, unless tuned otherwise), the first event is a RESYNC: refetch what you show, then go on. Over SSE, a Last-Event-ID header takes precedence.';

/** A cursor the caller sends back: the gateway's own characters only. */
export const afterRule = z
  .string()
  .regex(EVENT_CURSOR_PATTERN, 'must be the `cursor` of an event of this gateway')
  .nullish();

const NodePoolPhaseEventKindEnum = builder.enumType('NodePoolPhaseEventKind', {
  description: 'What a `nodePoolPhaseChanged` event tells.',
  values: {
    PHASE_CHANGED: { description: 'A pool changed phase.' },
    RESYNC: {
      description:
        'The feed cannot resume where asked (the cursor is older than the log, or from a log that is gone): refetch the pools you show, then go on with the events that follow. Only a subscription with `after` (or Last-Event-ID) gets one, first.',
    },
  } as const,
});

const PhaseTransitionFilter = builder.inputType('PhaseTransitionFilter', {
  description:
    'Which transitions to receive. A pool new to the gateway has no previous phase and never matches `from`.',
  fields: (t) => ({
    from: t.field({ type: [NodePoolPhaseEnum], description: 'Only changes away from one of these phases.' }),
    to: t.field({ type: [NodePoolPhaseEnum], description: 'Only changes into one of these phases.' }),
  }),
});

export const PhaseChangeFilter = builder.inputType('PhaseChangeFilter', {
  description: 'Which phase changes to receive; all given conditions must hold.',
  fields: (t) => ({
    ids: t.idList({ description: 'Only these pools (global ids or raw Run:ai ids), at most 500.' }),
    clusterId: t.field({ type: 'UUID', description: 'Only pools of this cluster.' }),
    phases: t.field({ type: PhaseTransitionFilter, description: 'Only these transitions.' }),
  }),
});

export const NodePoolPhaseChangeRef = builder.objectRef<PhaseChangePayload>('NodePoolPhaseChange').implement({
  description: 'A node pool moved from one phase to another, as the gateway observed it; or a RESYNC.',
  fields: (t) => ({
    kind: t.expose('kind', {
      type: NodePoolPhaseEventKindEnum,
      description: 'A phase change, or a RESYNC (whose pool fields are null).',
    }),
    nodePoolId: t.id({ nullable: true, description: EVENT_POOL_ID_DOC, resolve: eventPoolId }),
    nodePool: t.field({
      type: NodePoolRef,
      nullable: true,
      description:
        'The pool as last seen; for a deleted pool, its state before it vanished; null for a RESYNC.',
      resolve: (change) => change.pool,
    }),
    previousPhase: t.expose('previousPhase', {
      type: NodePoolPhaseEnum,
      nullable: true,
      description: 'The phase before; null for a pool the gateway had not seen since the subscription began.',
    }),
    phase: t.expose('phase', {
      type: NodePoolPhaseEnum,
      nullable: true,
      description: 'The new phase; Deleted once the pool is gone; null for a RESYNC.',
    }),
    observedAt: t.expose('observedAt', {
      type: 'DateTime',
      description: 'When the gateway observed the change.',
    }),
    missedEvents: t.exposeInt('missedEvents', { description: MISSED_EVENTS_DOC }),
    cursor: t.exposeString('cursor', { nullable: true, description: CURSOR_DOC }),
  }),
});

const NodePoolChangeKindEnum = builder.enumType('NodePoolChangeKind', {
  description: 'What happened to a node pool.',
  values: {
    CREATED: { description: 'The pool appeared.' },
    UPDATED: { description: 'Some of its fields changed (see `changedFields`).' },
    DELETED: { description: 'The pool vanished from Run:ai.' },
    RESYNC: {
      description:
        'The feed cannot resume where asked (the cursor is older than the log, or from a log that is gone): refetch the pools you show, then go on with the events that follow. Only a subscription with `after` (or Last-Event-ID) gets one, first; its pool fields are null.',
    },
  } as const,
});

export const NodePoolChangeFilter = builder.inputType('NodePoolChangeFilter', {
  description: 'Which pool changes to receive; all given conditions must hold.',
  fields: (t) => ({
    ids: t.idList({ description: 'Only these pools (global ids or raw Run:ai ids), at most 500.' }),
    clusterId: t.field({ type: 'UUID', description: 'Only pools of this cluster.' }),
    kinds: t.field({ type: [NodePoolChangeKindEnum], description: 'Only these kinds of change.' }),
    fields: t.stringList({
      description:
        'Only updates that change one of these fields (`labelValue`, or `status` for any of its fields); created and deleted pools always match.',
    }),
  }),
});

export const NodePoolChangeRef = builder.objectRef<PoolChangePayload>('NodePoolChange').implement({
  description: 'A node pool was created, updated or deleted, as the gateway observed it; or a RESYNC.',
  fields: (t) => ({
    kind: t.expose('kind', { type: NodePoolChangeKindEnum, description: 'What happened.' }),
    nodePoolId: t.id({ nullable: true, description: EVENT_POOL_ID_DOC, resolve: eventPoolId }),
    nodePool: t.field({
      type: NodePoolRef,
      nullable: true,
      description: 'The pool now; for a deleted pool, its state before it vanished; null for a RESYNC.',
      resolve: (change) => change.pool,
    }),
    changedFields: t.exposeStringList('changedFields', {
      description:
        'The `NodePool` fields whose value changed, as paths (`labelValue`, `status.nodes`), sorted; every field for a created or deleted pool; none for a RESYNC.',
    }),
    observedAt: t.expose('observedAt', {
      type: 'DateTime',
      description: 'When the gateway observed the change.',
    }),
    missedEvents: t.exposeInt('missedEvents', { description: MISSED_EVENTS_DOC }),
    cursor: t.exposeString('cursor', { nullable: true, description: CURSOR_DOC }),
  }),
});

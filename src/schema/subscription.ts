import { z } from 'zod';
import { nodePoolGlobalId } from '../domain/ids.js';
import { LIMITS } from '../domain/limits.js';
import { DEFAULT_SAMPLES } from '../domain/metrics-window.js';
import { CURSOR_PATTERN } from '../live/live-store.js';
import type { MetricsDelivery, WatcherDelivery } from '../live/live-updates.js';
import {
  type LiveMetrics,
  type PhaseChangePayload,
  type PoolChangePayload,
  phaseChangeOf,
  poolChangeOf,
  poolMetricsOf,
  subscribePhaseChanges,
  subscribePoolChanges,
  subscribePoolMetrics,
} from '../resolvers/subscriptions.js';
import type { MetricType } from '../upstream/models.js';
import { argumentRules, enumList, idList, nodePoolId } from './argument-rules.js';
import { builder } from './builder.js';
import { NodePoolPhaseEnum } from './enums.js';
import { listSizes } from './list-sizes.js';
import { NodePoolRef } from './node-pool.js';
import { MetricSeriesRef, metricsListSizes, NodePoolMetricTypeEnum } from './pool-metrics.js';
import { upstreamCalls } from './upstream-calls.js';

/** How many events a subscriber missed: its queue was full (it read slower than events came). */
const MISSED_EVENTS_DOC =
  'Events dropped just before this one because the subscriber read slower than they came (its queue holds SUBSCRIPTION_QUEUE_SIZE events, default 100); 0 when none. After a gap, refetch what you show.';

const EVENT_POOL_ID_DOC = 'Global id of the pool (also for a deleted pool); null for a RESYNC.';

/** The global id of an event's pool; a RESYNC has none. */
const eventPoolId = (change: { poolId: string | null }) =>
  change.poolId === null ? null : nodePoolGlobalId(change.poolId);

const CURSOR_DOC =
  "This event's place in the caller's change feed: pass it as `after` (over SSE, a reconnecting EventSource sends it as Last-Event-ID) to receive the events that follow it. Opaque and ordered; null for an event that was not logged.";

const AFTER_DOC =
  'Resume after this cursor: the logged events that followed it come first, in order, then live ones. When the log no longer holds it (LIVE_LOG_LENGTH events, LIVE_LOG_MAX_AGE_SECONDS), the first event is a RESYNC: refetch what you show, then go on. Over SSE, a Last-Event-ID header takes precedence.';

/** A cursor the caller sends back: the gateway's own characters only. */
const afterRule = z
  .string()
  .regex(CURSOR_PATTERN, 'must be the `cursor` of an event of this gateway')
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

const PhaseChangeFilter = builder.inputType('PhaseChangeFilter', {
  description: 'Which phase changes to receive; all given conditions must hold.',
  fields: (t) => ({
    ids: t.idList({ description: 'Only these pools (global ids or raw Run:ai ids), at most 500.' }),
    clusterId: t.field({ type: 'UUID', description: 'Only pools of this cluster.' }),
    phases: t.field({ type: PhaseTransitionFilter, description: 'Only these transitions.' }),
  }),
});

const NodePoolPhaseChangeRef = builder.objectRef<PhaseChangePayload>('NodePoolPhaseChange').implement({
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

const NodePoolChangeFilter = builder.inputType('NodePoolChangeFilter', {
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

const NodePoolChangeRef = builder.objectRef<PoolChangePayload>('NodePoolChange').implement({
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

const LiveMetricsWindow = builder.inputType('LiveMetricsWindow', {
  description: 'A moving window: the last `durationSeconds` up to each poll, in `samples` samples.',
  fields: (t) => ({
    durationSeconds: t.int({
      defaultValue: 3600,
      description: 'Length of the window in seconds, 60..2592000 (30 days). Default one hour.',
    }),
    samples: t.int({
      defaultValue: DEFAULT_SAMPLES,
      description: 'Number of samples over the window, 1..1000.',
    }),
  }),
});

const NodePoolLiveMetricsRef = builder.objectRef<LiveMetrics>('NodePoolLiveMetrics').implement({
  description: "One poll of a pool's metrics over a moving window.",
  fields: (t) => ({
    nodePoolId: t.id({ description: 'Global id of the pool.', resolve: (m) => nodePoolGlobalId(m.poolId) }),
    start: t.expose('start', { type: 'DateTime', description: 'Start of the window of this poll.' }),
    end: t.expose('end', {
      type: 'DateTime',
      description: 'End of the window of this poll (the poll time).',
    }),
    series: t.expose('series', {
      type: [MetricSeriesRef],
      description: 'The series of the types asked for that Run:ai returned.',
    }),
    observedAt: t.expose('observedAt', { type: 'DateTime', description: 'When the gateway polled.' }),
    missedEvents: t.exposeInt('missedEvents', { description: MISSED_EVENTS_DOC }),
  }),
});

builder.subscriptionType({
  description: 'Live updates, over graphql-ws (`graphql-transport-ws`) or server-sent events.',
});

builder.subscriptionField('nodePoolPhaseChanged', (t) =>
  t.field({
    type: NodePoolPhaseChangeRef,
    description:
      'Phase changes of the pools visible to the caller. The gateway polls Run:ai once per credential for the whole deployment, however many subscribers on however many replicas, and polls sooner after a mutation made through it. Resumable: see `after`.',
    args: {
      filter: t.arg({ type: PhaseChangeFilter, description: 'Which changes to receive.' }),
      after: t.arg.string({ description: AFTER_DOC }),
    },
    extensions: {
      // A token no verdict vouches for is shown to Run:ai once, before the live layer keeps anything for it.
      ...upstreamCalls(1),
      ...argumentRules({
        after: afterRule,
        filter: z
          .object({
            ids: idList(nodePoolId).nullish(),
            phases: z.object({ from: enumList.nullish(), to: enumList.nullish() }).nullish(),
          })
          .nullish(),
      }),
    },
    subscribe: (_root, args, ctx) => subscribePhaseChanges(args.filter, args.after, ctx),
    resolve: (event: WatcherDelivery, _args, ctx) => phaseChangeOf(event, ctx),
  }),
);

builder.subscriptionField('nodePoolChanged', (t) =>
  t.field({
    type: NodePoolChangeRef,
    description:
      'Pools created, updated (with the fields that changed) and deleted, among those visible to the caller. Comes from the same shared poll as `nodePoolPhaseChanged`: one list poll per credential and interval for the whole deployment, however many subscribers of either. Resumable: see `after`.',
    args: {
      filter: t.arg({ type: NodePoolChangeFilter, description: 'Which changes to receive.' }),
      after: t.arg.string({ description: AFTER_DOC }),
    },
    extensions: {
      // A token no verdict vouches for is shown to Run:ai once, before the live layer keeps anything for it.
      ...upstreamCalls(1),
      ...argumentRules({
        after: afterRule,
        filter: z
          .object({
            ids: idList(nodePoolId).nullish(),
            kinds: enumList.nullish(),
            fields: z
              .array(z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters'))
              .max(LIMITS.enumList, `must hold at most ${LIMITS.enumList} values`)
              .nullish(),
          })
          .nullish(),
      }),
    },
    subscribe: (_root, args, ctx) => subscribePoolChanges(args.filter, args.after, ctx),
    resolve: (event: WatcherDelivery, _args, ctx) => poolChangeOf(event, ctx),
  }),
);

builder.subscriptionField('nodePoolMetrics', (t) =>
  t.field({
    type: NodePoolLiveMetricsRef,
    description:
      "A pool's metrics over a moving window: the current series at once, then fresh ones every interval (METRICS_POLL_INTERVAL_MS). Every subscriber of one pool and window on one credential shares one Run:ai call per interval, for the union of their types. Ends with NOT_FOUND when the pool is deleted.",
    args: {
      id: t.arg.id({ required: true, description: 'The pool: its global id or raw Run:ai id.' }),
      types: t.arg({
        type: [NodePoolMetricTypeEnum],
        required: true,
        description: 'The metric types to receive.',
      }),
      window: t.arg({
        type: LiveMetricsWindow,
        description: 'The moving window; default the last hour, 20 samples.',
      }),
    },
    extensions: {
      // The pool is looked up once, when the subscription starts; the polls are the live layer's.
      ...upstreamCalls(1),
      ...argumentRules({
        id: nodePoolId,
        types: enumList.min(1, 'must name at least one metric type'),
        window: z
          .object({
            durationSeconds: z
              .number()
              .int()
              .min(60, 'must be at least 60')
              .max(2_592_000, 'must be at most 2592000 (30 days)')
              .nullish(),
            samples: z
              .number()
              .int()
              .min(1, 'must be at least 1')
              .max(1000, 'must be at most 1000')
              .nullish(),
          })
          .nullish(),
      }),
      ...listSizes(
        ({ types, window }: { types: readonly MetricType[]; window?: { samples?: number | null } | null }) =>
          metricsListSizes(types, window?.samples ?? DEFAULT_SAMPLES),
      ),
    },
    subscribe: (_root, args, ctx) =>
      subscribePoolMetrics(
        {
          id: String(args.id),
          types: args.types,
          window: {
            durationMs: (args.window?.durationSeconds ?? 3600) * 1000,
            samples: args.window?.samples ?? DEFAULT_SAMPLES,
          },
        },
        ctx,
      ),
    resolve: (event: MetricsDelivery, _args, ctx) => poolMetricsOf(event, ctx),
  }),
);

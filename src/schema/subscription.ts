import { z } from 'zod';
import { LIMITS } from '../domain/limits.js';
import { DEFAULT_SAMPLES } from '../domain/metrics-window.js';
import type { MetricsDelivery, WatcherDelivery } from '../live/live-updates-types.js';
import {
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
import {
  AFTER_DOC,
  afterRule,
  NodePoolChangeFilter,
  NodePoolChangeRef,
  NodePoolPhaseChangeRef,
  PhaseChangeFilter,
} from './change-feed-types.js';
import { listSizes } from './list-sizes.js';
import { LiveMetricsWindow, NodePoolLiveMetricsRef } from './live-metrics-types.js';
import { metricsListSizes, NodePoolMetricTypeEnum } from './pool-metrics.js';
import { upstreamCalls } from './upstream-calls.js';

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
      "A pool's metrics over a moving window: the current series at once, then fresh ones every interval (15 s unless the gateway is tuned otherwise). Every subscriber of one pool and window on one credential shares one Run:ai call per interval, for the union of their types. Ends with NOT_FOUND when the pool is deleted.",
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

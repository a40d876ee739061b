/** The live metrics subscription's types: its moving window and its events. */

import { nodePoolGlobalId } from '../domain/ids.js';
import { DEFAULT_SAMPLES } from '../domain/metrics-window.js';
import type { LiveMetrics } from '../resolvers/subscriptions.js';
import { builder } from './builder.js';
import { MISSED_EVENTS_DOC } from './change-feed-types.js';
import { MetricSeriesRef } from './pool-metrics.js';

export const LiveMetricsWindow = builder.inputType('LiveMetricsWindow', {
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

export const NodePoolLiveMetricsRef = builder.objectRef<LiveMetrics>('NodePoolLiveMetrics').implement({
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

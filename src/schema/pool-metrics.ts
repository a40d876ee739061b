import { responsePathAsArray } from 'graphql';
import {
  DEFAULT_SAMPLES,
  type MetricsWindowInput,
  metricsWindow,
  windowName,
} from '../domain/metrics-window.js';
import {
  latestSample,
  type MetricSeries,
  type NodePoolMetricsResult,
  nodePoolMetrics,
  sampleNumber,
} from '../resolvers/pool-metrics.js';
import { METRIC_TYPES, type MetricType, type MetricValue } from '../upstream/models.js';
import { argumentRules, enumList } from './argument-rules.js';
import { builder } from './builder.js';
import { listSizes } from './list-sizes.js';
import { NodePoolRef } from './node-pool.js';
import { upstreamCalls } from './upstream-calls.js';

const METRIC_DOCS: Record<MetricType, string> = {
  TOTAL_GPU_NODES: 'Number of nodes with GPUs in the pool.',
  GPU_UTILIZATION: 'Average GPU utilisation, in percent.',
  GPU_UTILIZATION_DISTRIBUTION:
    'GPUs per utilisation bucket; one series per bucket, told apart by `labels.range`.',
  GPU_MEMORY_UTILIZATION: 'Average GPU memory utilisation, in percent.',
  CPU_UTILIZATION: 'Average CPU utilisation, in percent.',
  CPU_MEMORY_UTILIZATION: 'Average CPU memory utilisation, in percent.',
  TOTAL_GPU: 'Number of GPUs in the pool.',
  GPU_QUOTA: 'GPU quota assigned in the pool.',
  ALLOCATED_GPU: 'GPUs allocated to workloads.',
  UNALLOCATED_GPU: 'GPUs not allocated to any workload.',
  AVG_WORKLOAD_WAIT_TIME: 'Average time workloads waited to be scheduled, in seconds.',
};

export const NodePoolMetricTypeEnum = builder.enumType('NodePoolMetricType', {
  description: 'The metrics Run:ai computes for a node pool.',
  values: Object.fromEntries(
    METRIC_TYPES.map((type) => [type, { value: type, description: METRIC_DOCS[type] }]),
  ) as {
    [K in MetricType]: { value: K; description: string };
  },
});

export const MetricsWindow = builder.inputType('MetricsWindow', {
  description:
    'A time range and how many samples to take in it. Defaults: the hour before the request, 20 samples. Fields of one request that leave `start`/`end` out share the same window.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the range; default one hour before `end`.' }),
    end: t.field({ type: 'DateTime', description: 'End of the range; default the time of the request.' }),
    samples: t.int({ defaultValue: 20, description: 'Number of samples over the range, 0..1000.' }),
  }),
});

/** How long the lists of a metrics answer can be, for the cost limit. */
export function metricsListSizes(types: readonly MetricType[], samples: number) {
  const distinct = new Set(types);
  // A distribution comes as one series per utilisation bucket.
  const series = distinct.size + (distinct.has('GPU_UTILIZATION_DISTRIBUTION') ? 3 : 0);
  return { series, missingTypes: distinct.size, samples };
}

export const MetricSampleRef = builder.objectRef<MetricValue>('MetricSample').implement({
  description: 'One sample of a metric series.',
  fields: (t) => ({
    timestamp: t.expose('timestamp', { type: 'DateTime', nullable: true, description: 'When it was taken.' }),
    value: t.float({
      nullable: true,
      description: 'The value as a number; null when Run:ai sent something that is not a number.',
      resolve: sampleNumber,
    }),
    raw: t.exposeString('value', { description: 'The value exactly as Run:ai sent it (a string).' }),
  }),
});

export const MetricSeriesRef = builder.objectRef<MetricSeries>('MetricSeries').implement({
  description: 'The samples of one metric type (and, for distributions, one bucket).',
  fields: (t) => ({
    type: t.expose('type', { type: NodePoolMetricTypeEnum, description: 'The metric type.' }),
    labels: t.expose('labels', {
      type: 'JSONObject',
      nullable: true,
      description: 'Labels that tell series of one type apart, e.g. `{"range": "0-25"}` for distributions.',
    }),
    samples: t.expose('values', { type: [MetricSampleRef], description: 'Samples in time order.' }),
    latest: t.field({
      type: MetricSampleRef,
      nullable: true,
      description: 'The last sample, if any.',
      resolve: latestSample,
    }),
  }),
});

export const NodePoolMetricsRef = builder.objectRef<NodePoolMetricsResult>('NodePoolMetrics').implement({
  description:
    'Metric series of a node pool. When Run:ai can compute only some types (HTTP 207), the rest are listed in `missingTypes` and the response carries a PARTIAL_RESULT error.',
  fields: (t) => ({
    series: t.expose('series', { type: [MetricSeriesRef], description: 'The series that Run:ai returned.' }),
    missingTypes: t.expose('missingTypes', {
      type: [NodePoolMetricTypeEnum],
      description: 'Requested types that Run:ai could not compute.',
    }),
  }),
});

builder.objectField(NodePoolRef, 'metrics', (t) =>
  t.field({
    type: NodePoolMetricsRef,
    nullable: true,
    description:
      'Metric series over a time window. Every `metrics` field of this pool with the same window (aliases included) is fetched in ONE Run:ai call for the union of their types. The same series as a CSV download, for spreadsheets: `GET /export/nodepools/{id}/metrics.csv?types=GPU_UTILIZATION,TOTAL_GPU&start=…&end=…&samples=…` with the same token and rules (docs/api.md#metrics-as-csv).',
    args: {
      types: t.arg({
        type: [NodePoolMetricTypeEnum],
        required: true,
        description: 'The metric types to return.',
      }),
      window: t.arg({
        type: MetricsWindow,
        description: 'The time range; default the last hour, 20 samples.',
      }),
    },
    extensions: {
      ...argumentRules({
        types: enumList.min(1, 'must name at least one metric type'),
        window: metricsWindow,
      }),
      ...listSizes(
        ({ types, window }: { types: readonly MetricType[]; window?: MetricsWindowInput | null }) =>
          metricsListSizes(types, window?.samples ?? DEFAULT_SAMPLES),
      ),
      // One call per pool and window, however many fields (aliases, types) ask for it.
      ...upstreamCalls({
        calls: () => 1,
        sharedBy: ({ window }: { window?: MetricsWindowInput | null }) => windowName(window),
      }),
    },
    resolve: (pool, args, ctx, info) =>
      nodePoolMetrics(pool, args, ctx, () => responsePathAsArray(info.path)),
  }),
);

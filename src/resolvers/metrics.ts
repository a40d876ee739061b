import { createGraphQLError } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import type { Measurement, MetricType, NodePool } from '../upstream/models.js';
import { InputValidationError } from './errors.js';

/** The default window: the hour before the request, in 20 samples. */
export const DEFAULT_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_SAMPLES = 20;

export interface MetricsWindowInput {
  start?: Date | null | undefined;
  end?: Date | null | undefined;
  samples?: number | null | undefined;
}

export interface MetricSample {
  timestamp: string | null;
  value: number | null;
  raw: string;
}

export interface MetricSeries {
  type: MetricType;
  labels: Record<string, string> | null;
  samples: MetricSample[];
  latest: MetricSample | null;
}

export interface NodePoolMetricsResult {
  series: MetricSeries[];
  missingTypes: MetricType[];
}

/**
 * Fills in the window's defaults from the request time, so every `metrics`
 * field of a request that leaves them out gets the very same window (and
 * shares one upstream call per pool). Refuses an empty or inverted range.
 */
export function resolveWindow(window: MetricsWindowInput | null | undefined, now: Date) {
  const end = window?.end ?? now;
  const start = window?.start ?? new Date(end.getTime() - DEFAULT_WINDOW_MS);
  const samples = window?.samples ?? DEFAULT_SAMPLES;
  if (start.getTime() >= end.getTime()) {
    throw new InputValidationError([{ path: 'window', message: 'start must be before end' }]);
  }
  return { start, end, samples };
}

function toSample(value: { value: string; timestamp: string | null }): MetricSample {
  const parsed = Number.parseFloat(value.value);
  return { timestamp: value.timestamp, value: Number.isFinite(parsed) ? parsed : null, raw: value.value };
}

function toSeries(measurement: Measurement & { type: MetricType }): MetricSeries {
  const samples = measurement.values.map(toSample);
  return { type: measurement.type, labels: measurement.labels, samples, latest: samples.at(-1) ?? null };
}

/**
 * Resolves `NodePool.metrics`. All `metrics` fields of one pool and one
 * window in a request, aliases included, share ONE call of
 * `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics`
 * for the union of their types. On a 207, the series that came are
 * returned and a PARTIAL_RESULT error naming the missing types is added to
 * the response at `path`.
 */
export async function nodePoolMetrics(
  pool: NodePool,
  args: { types: readonly MetricType[]; window?: MetricsWindowInput | null | undefined },
  ctx: GatewayContext,
  path: readonly (string | number)[],
): Promise<NodePoolMetricsResult> {
  const { start, end, samples } = resolveWindow(args.window, ctx.now);
  const types = [...new Set(args.types)];
  const slice = await ctx.loaders.metrics.load({
    clusterId: pool.clusterId,
    nodepoolName: pool.name,
    start: start.toISOString(),
    end: end.toISOString(),
    samples,
    types,
  });
  if (slice.missingTypes.length > 0) {
    ctx.deferredErrors.push(
      createGraphQLError(
        `Run:ai could not compute ${slice.missingTypes.join(', ')} for node pool ${pool.name}; the other series are returned`,
        { path, extensions: { code: 'PARTIAL_RESULT', missingTypes: slice.missingTypes } },
      ),
    );
  }
  const series = slice.measurements.filter((m): m is Measurement & { type: MetricType } => m.type !== null);
  return { series: series.map(toSeries), missingTypes: slice.missingTypes };
}

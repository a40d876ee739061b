import type { GatewayContext } from '../context.js';
import type { MetricSeries } from '../loaders/index.js';
import { gatewayError } from '../pipeline/errors.js';
import type { MetricType, MetricValue, NodePool } from '../upstream/models.js';

/** The default window: the hour before the request, in 20 samples. */
export const DEFAULT_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_SAMPLES = 20;

export interface MetricsWindowInput {
  start?: Date | null | undefined;
  end?: Date | null | undefined;
  samples?: number | null | undefined;
}

export type { MetricSeries };

/** A sample's value as a number; null when Run:ai sent something that is not a number. */
export function sampleNumber(sample: MetricValue): number | null {
  const parsed = Number.parseFloat(sample.value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** The last sample of a series, if any. */
export function latestSample(series: MetricSeries): MetricValue | null {
  return series.values.at(-1) ?? null;
}

export interface NodePoolMetricsResult {
  series: MetricSeries[];
  missingTypes: MetricType[];
}

/**
 * Fills in the window's defaults from the request time, so every `metrics`
 * field of a request that leaves them out gets the very same window (and
 * shares one upstream call per pool). The argument rules have checked that
 * a given start lies before the end.
 */
export function resolveWindow(window: MetricsWindowInput | null | undefined, now: Date) {
  const end = window?.end ?? now;
  const start = window?.start ?? new Date(end.getTime() - DEFAULT_WINDOW_MS);
  const samples = window?.samples ?? DEFAULT_SAMPLES;
  return { start, end, samples };
}

/** Names a window as its fields give it: fields with equal names resolve to one window, and share one call. */
export function windowKey(window: MetricsWindowInput | null | undefined): string {
  return `${window?.start?.getTime() ?? ''}/${window?.end?.getTime() ?? ''}/${window?.samples ?? DEFAULT_SAMPLES}`;
}

/**
 * Resolves `NodePool.metrics`. All `metrics` fields of one pool and one
 * window in a request, aliases included, share ONE call of
 * `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics`
 * for the union of their types. On a 207, the series that came are
 * returned and a PARTIAL_RESULT error naming the missing types is added to
 * the response at `path()` (asked for only then: most answers are complete).
 */
export async function nodePoolMetrics(
  pool: NodePool,
  args: { types: readonly MetricType[]; window?: MetricsWindowInput | null | undefined },
  ctx: GatewayContext,
  path: () => readonly (string | number)[],
): Promise<NodePoolMetricsResult> {
  const { start, end, samples } = resolveWindow(args.window, ctx.now);
  // A new sample comes each step: the answer stays true for one step at most (the response cache's TTL).
  const step = Math.max(0, end.getTime() - start.getTime()) / samples;
  ctx.cacheHints.metricsStepMs = Math.min(ctx.cacheHints.metricsStepMs ?? step, step);
  // Duplicates dropped without a Set: a list of one to four types, for each of a dashboard's 150 fields.
  const types = args.types.filter((type, i) => args.types.indexOf(type) === i);
  const slice = await ctx.loaders.metrics.load({
    clusterId: pool.clusterId,
    nodepoolName: pool.name,
    start,
    end,
    samples,
    types,
  });
  if (slice.missingTypes.length > 0) {
    ctx.partialErrors.push(
      gatewayError(
        'PARTIAL_RESULT',
        `Run:ai could not compute ${slice.missingTypes.join(', ')} for node pool ${pool.name}; the other series are returned`,
        { path: path(), extensions: { missingTypes: slice.missingTypes } },
      ),
    );
  }
  return { series: slice.measurements, missingTypes: slice.missingTypes };
}

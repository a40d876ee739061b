import { gatewayError } from '../domain/errors.js';
import { type MetricsWindowInput, resolveWindow } from '../domain/metrics-window.js';
import type { MetricSeries } from '../loaders/index.js';
import type { MetricType, MetricValue, NodePool } from '../upstream/models.js';
import type { ResolverContext } from './context.js';

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
  ctx: ResolverContext,
  path: () => readonly (string | number)[],
): Promise<NodePoolMetricsResult> {
  const { start, end, samples } = resolveWindow(args.window, ctx.now);
  // A new sample comes each step: the answer stays true for one step at most (the response cache's TTL).
  const step = Math.max(0, end.getTime() - start.getTime()) / samples;
  ctx.report.trueFor(step);
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
    ctx.report.partialResult(
      gatewayError(
        'PARTIAL_RESULT',
        `Run:ai could not compute ${slice.missingTypes.join(', ')} for node pool ${pool.name}; the other series are returned`,
        { path: path(), extensions: { missingTypes: slice.missingTypes } },
      ),
    );
  }
  return { series: slice.measurements, missingTypes: slice.missingTypes };
}

import DataLoader from 'dataloader';
import pLimit, { type LimitFunction } from 'p-limit';
import type { NodePoolsApi } from '../upstream/bind-api.js';
import { METRIC_TYPES, type Measurement, type MetricType } from '../upstream/models.js';

/** One `metrics` field of one pool: its window and the types it asks for. */
export interface MetricsKey {
  clusterId: string;
  nodepoolName: string;
  start: Date;
  end: Date;
  samples: number;
  types: readonly MetricType[];
}

/**
 * A series of a metric type the gateway knows (Run:ai may send newer ones),
 * as the schema serves it. Samples stay as Run:ai sent them (`value` text,
 * normalized timestamp) and are turned into numbers only for the fields a
 * query selects.
 */
export type MetricSeries = Measurement & { type: MetricType };

/** What one `metrics` field receives: its own series, and which of its types Run:ai could not compute. */
export interface MetricsSlice {
  /** The series of the key's types that came, in Run:ai's order. */
  measurements: MetricSeries[];
  missingTypes: MetricType[];
  partial: boolean;
}

const metricOrder = new Map(METRIC_TYPES.map((type, i) => [type, i]));

/** Pool and window of a key: keys that share it share one call. Run:ai names hold no NUL. */
function windowKey(key: MetricsKey): string {
  return `${key.clusterId}\0${key.nodepoolName}\0${key.start.getTime()}\0${key.end.getTime()}\0${key.samples}`;
}

/**
 * The metrics loader of one request: every `metrics` field of one pool and
 * one window, aliases included, becomes ONE call of
 * `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics` for
 * the union of their types, and each field gets its own slice back. At most
 * `concurrency` calls run at once.
 */
export function createMetricsLoader(
  api: NodePoolsApi,
  concurrency: number,
): DataLoader<MetricsKey, MetricsSlice, string> {
  // Built with the first metrics batch: most requests read no metrics.
  let limit: LimitFunction | undefined;
  return new DataLoader<MetricsKey, MetricsSlice, string>(
    // Each key gets its own group's promise rather than waiting for the whole batch: a pool's
    // fields complete as soon as its call answers, while the other calls of the wave are out.
    (keys) => {
      const groups = new Map<string, MetricsKey[]>();
      for (const key of keys) {
        const id = windowKey(key);
        const group = groups.get(id);
        if (group) group.push(key);
        else groups.set(id, [key]);
      }
      const slices = new Map<MetricsKey, Promise<MetricsSlice>>();
      for (const group of groups.values()) {
        const first = group[0] as MetricsKey;
        const union = [...new Set(group.flatMap((k) => k.types))].sort(
          (a, b) => (metricOrder.get(a) ?? 0) - (metricOrder.get(b) ?? 0),
        );
        limit ??= pLimit(concurrency);
        const answer = limit(() =>
          api.getNodePoolMetrics({
            clusterId: first.clusterId,
            nodepoolName: first.nodepoolName,
            start: first.start.toISOString(),
            end: first.end.toISOString(),
            numberOfSamples: first.samples,
            metricTypes: union,
          }),
        );
        for (const key of group) {
          slices.set(
            key,
            answer.then((result) => ({
              measurements: result.measurements.filter(
                (m): m is MetricSeries => m.type !== null && key.types.includes(m.type),
              ),
              missingTypes: key.types.filter((t) => !result.measurements.some((m) => m.type === t)),
              partial: result.partial,
            })),
          );
        }
      }
      // DataLoader settles each load() with its value; a promise value is adopted, rejection included.
      return Promise.resolve(
        keys.map((key) => slices.get(key) ?? Promise.reject(new TypeError('metrics batch lost a key'))),
      ) as unknown as Promise<MetricsSlice[]>;
    },
    {
      cacheKeyFn: (key) =>
        `${windowKey(key)}\0${key.types.length === 1 ? key.types[0] : [...key.types].sort().join(',')}`,
      // One batch holds every metrics field of the execution wave, however many pools it spans.
      maxBatchSize: Number.POSITIVE_INFINITY,
    },
  );
}

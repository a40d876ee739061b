import DataLoader from 'dataloader';
import pLimit, { type LimitFunction } from 'p-limit';
import type { NodePoolsApi } from '../upstream/bind-api.js';
import { inSpecOrder, type Measurement, type MetricType } from '../upstream/models.js';

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

/** Pool and window of a key: keys that share it share one call. Run:ai names hold no NUL. */
function windowKey(key: MetricsKey): string {
  return `${key.clusterId}\0${key.nodepoolName}\0${key.start.getTime()}\0${key.end.getTime()}\0${key.samples}`;
}

/** One window's answer: the types its call asked for, and what Run:ai sent. */
interface WindowAnswer {
  asked: ReadonlySet<MetricType>;
  measurements: MetricSeries[];
  partial: boolean;
}

/** The metrics of one request: a field asks for its pool, window and types, and gets its slice. */
export interface PoolMetricsLoader {
  load(key: MetricsKey): Promise<MetricsSlice>;
}

/**
 * The metrics loader of one request: every `metrics` field of one pool and
 * one window, aliases included, becomes ONE call of
 * `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics` for
 * the union of their types, and each field gets its own slice back. At most
 * `concurrency` calls run at once.
 *
 * A DataLoader keyed by window makes the calls. Fields register their types
 * in the tick they ask, and the window's call goes out after that tick with
 * their union. Each window is a batch of its own (`maxBatchSize: 1`), so a
 * pool's fields settle as soon as its call answers, while the others are out.
 * A field whose types join after its window's call went out (under `@defer`)
 * makes the window be asked again.
 */
export function createMetricsLoader(api: NodePoolsApi, concurrency: number): PoolMetricsLoader {
  /** Per window: the types its fields asked for, and the key that names it. */
  const windows = new Map<string, { types: Set<MetricType>; key: MetricsKey }>();
  const slices = new Map<string, Promise<MetricsSlice>>();
  // Built with the first call: most requests read no metrics.
  let limit: LimitFunction | undefined;

  const calls = new DataLoader<string, WindowAnswer>(
    async ([id]) => {
      const window = windows.get(id as string);
      if (!window) return [new TypeError(`metrics loader: no window ${id}`)];
      const metricTypes = inSpecOrder(window.types);
      limit ??= pLimit(concurrency);
      try {
        const answer = await limit(() =>
          api.getNodePoolMetrics({
            clusterId: window.key.clusterId,
            nodepoolName: window.key.nodepoolName,
            start: window.key.start.toISOString(),
            end: window.key.end.toISOString(),
            numberOfSamples: window.key.samples,
            metricTypes,
          }),
        );
        const measurements = answer.measurements.filter((m): m is MetricSeries => m.type !== null);
        return [{ asked: new Set(metricTypes), measurements, partial: answer.partial }];
      } catch (error) {
        return [error instanceof Error ? error : new Error(String(error))];
      }
    },
    // Answers are kept below, per window: DataLoader only schedules each call after the tick. Its cache would
    // settle a repeated window with whatever batch the repeat lands in, not with its own call.
    { maxBatchSize: 1, cache: false },
  );
  const answers = new Map<string, Promise<WindowAnswer>>();

  const answerFor = async (id: string, types: readonly MetricType[]): Promise<WindowAnswer> => {
    let pending = answers.get(id);
    if (!pending) {
      pending = calls.load(id);
      answers.set(id, pending);
    }
    const answer = await pending;
    if (types.every((type) => answer.asked.has(type))) return answer;
    // The call went out before these types were asked for: ask again, for all of them.
    if (answers.get(id) === pending) answers.set(id, calls.load(id));
    return answers.get(id) as Promise<WindowAnswer>;
  };

  return {
    load(key) {
      const id = windowKey(key);
      const window = windows.get(id) ?? { types: new Set<MetricType>(), key };
      windows.set(id, window);
      for (const type of key.types) window.types.add(type);
      const sliceId = `${id}\0${key.types.length === 1 ? key.types[0] : [...key.types].sort().join(',')}`;
      let slice = slices.get(sliceId);
      if (!slice) {
        slice = answerFor(id, key.types).then((answer) => ({
          measurements: answer.measurements.filter((m) => key.types.includes(m.type)),
          missingTypes: key.types.filter((t) => !answer.measurements.some((m) => m.type === t)),
          partial: answer.partial,
        }));
        slices.set(sliceId, slice);
      }
      return slice;
    },
  };
}

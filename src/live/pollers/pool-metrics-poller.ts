import type { MetricSeries } from '../../loaders/pool-metrics.js';
import type { NodePoolsApi } from '../../upstream/bind-api.js';
import { isUpstreamError } from '../../upstream/errors.js';
import { inSpecOrder, type MetricType, type NodePool } from '../../upstream/models.js';
import { nextPollDelay } from './backoff.js';
import { detached } from './detached.js';

/** The moving window of a live metrics subscription: the last `durationMs`, in `samples` samples. */
export interface LiveWindow {
  durationMs: number;
  samples: number;
}

/** The sample counts a live window takes: near-identical windows share one poller. */
export const LIVE_SAMPLE_COUNTS = [
  1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30, 40, 50, 60, 80, 100, 120, 150, 200, 240, 300, 400, 500, 600,
  800, 1000,
] as const;

/**
 * The window a live subscription gets: its duration rounded to the nearest
 * whole minute (at least one), its samples to the nearest of
 * {@link LIVE_SAMPLE_COUNTS}. Subscribers whose windows differ by a second
 * or a sample share one poller, and one caller cannot run a poller per
 * second of difference.
 */
export function quantiseWindow(window: LiveWindow): LiveWindow {
  const minutes = Math.max(1, Math.round(window.durationMs / 60_000));
  let samples: number = LIVE_SAMPLE_COUNTS[0];
  for (const count of LIVE_SAMPLE_COUNTS) {
    if (Math.abs(count - window.samples) <= Math.abs(samples - window.samples)) samples = count;
  }
  return { durationMs: minutes * 60_000, samples };
}

/** What a metrics poller tells its subscribers. */
export type MetricsEvent =
  | {
      kind: 'metrics';
      pool: NodePool;
      start: Date;
      end: Date;
      /** The types this poll asked for: the union of its subscribers' types when it started. */
      types: ReadonlySet<MetricType>;
      /** Every series of the poll; each subscriber picks its own. */
      series: MetricSeries[];
      observedAt: Date;
    }
  /** The pool is gone, or the credential stopped working: the subscriptions end with this code. */
  | { kind: 'end'; code: 'NOT_FOUND' | 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

export interface MetricsPollerOptions {
  api: NodePoolsApi;
  /** The pool, as its first subscriber's request found it. */
  pool: NodePool;
  window: LiveWindow;
  /** The metric types to ask for: read before every poll, as subscribers come and go. */
  types: () => ReadonlySet<MetricType>;
  intervalMs: number;
  maxBackoffMs: number;
  publish: (event: MetricsEvent) => void;
  onPoll?: (outcome: 'ok' | 'error') => void;
  warn?: (obj: object, msg: string) => void;
  now?: () => Date;
}

/**
 * Polls one pool's metrics for one credential scope and one window, for
 * every subscriber of that pool and window: one call of
 * `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics`
 * per interval for the union of the types they ask for. The pool's cluster
 * and name come with it (its first subscriber looked it up). Polls back off
 * (with jitter) while Run:ai fails, and come back to the interval when it
 * answers.
 */
export class MetricsPoller {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private inFlight = false;
  private again = false;
  private latest: Extract<MetricsEvent, { kind: 'metrics' }> | undefined;

  /** Starts polling with {@link pollSoon}, once it has subscribers. */
  constructor(private readonly options: MetricsPollerOptions) {}

  /** Polls in no subscriber's async context (see `detached`). */
  private readonly pollDetached = () => detached(() => this.poll());

  /** Stops polling; a poll in flight finishes but publishes nothing. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Polls now (the first subscriber, or one asking for types the last poll did not cover). */
  pollSoon(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pollDetached(), 0);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const { api, pool, window } = this.options;
    const types = inSpecOrder(this.options.types());
    if (types.length === 0) return this.schedule();
    let lastError: unknown;
    this.inFlight = true;
    try {
      const end = this.options.now?.() ?? new Date();
      const start = new Date(end.getTime() - window.durationMs);
      const answer = await api.getNodePoolMetrics({
        clusterId: pool.clusterId,
        nodepoolName: pool.name,
        start,
        end,
        numberOfSamples: window.samples,
        metricTypes: types,
      });
      if (this.stopped) return;
      this.failures = 0;
      this.options.onPoll?.('ok');
      const series = answer.measurements.filter((m): m is MetricSeries => m.type !== null);
      this.latest = {
        kind: 'metrics',
        pool,
        start,
        end,
        types: new Set(types),
        series,
        observedAt: end,
      };
      this.options.publish(this.latest);
    } catch (error) {
      if (this.stopped) return;
      lastError = error;
      this.options.onPoll?.('error');
      const code = isUpstreamError(error) ? error.code : undefined;
      if (code === 'NOT_FOUND' || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') {
        this.options.publish({ kind: 'end', code, message: (error as Error).message });
        this.stop();
        return;
      }
      this.failures++;
      this.options.warn?.(
        { code: code ?? 'UNKNOWN', failures: this.failures },
        'metrics poll failed; backing off',
      );
    } finally {
      this.inFlight = false;
    }
    if (this.again && this.failures === 0) {
      this.again = false;
      return this.pollSoon();
    }
    this.schedule(lastError);
  }

  private schedule(lastError?: unknown): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => void this.pollDetached(),
      nextPollDelay(this.options, this.failures, lastError),
    );
    this.timer.unref();
  }
}

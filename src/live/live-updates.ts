import { EventEmitter } from 'node:events';
import { credentialScope } from '../edge/credentials.js';
import type { MetricSeries } from '../loaders/pool-metrics.js';
import { bindNodePoolsApi } from '../upstream/bind-api.js';
import type { UpstreamHttp } from '../upstream/http.js';
import type { MetricType, NodePool } from '../upstream/models.js';
import { BoundedQueue, type Delivered } from './bounded-queue.js';
import { ListWatcher, type WatcherEvent } from './list-watcher.js';
import { type Admission, DEFAULT_LIVE_LIMITS, LiveBudgets, type LiveLimits } from './live-budgets.js';
import { type LiveWindow, type MetricsEvent, MetricsPoller, quantiseWindow } from './pool-metrics-poller.js';
import type { RefreshBus } from './refresh-bus.js';

export interface LiveUpdatesOptions {
  http: UpstreamHttp;
  /** Interval of the pool list polls. */
  intervalMs: number;
  /** Interval of the metrics polls; default `intervalMs`. */
  metricsIntervalMs?: number;
  /** Polls after a mutation, until the changed pool settles. Default 500, 1000, 2000, 4000, 8000 ms. */
  settleDelaysMs?: readonly number[];
  /** Cap of the back-off after failed polls. Default 60 s. */
  maxBackoffMs?: number;
  /** Events kept for a subscriber that reads slower than they come; older ones are dropped. Default 100. */
  queueCapacity?: number;
  /** Bytes kept for such a subscriber (SUBSCRIPTION_QUEUE_BYTES). Default 1 MiB. */
  queueBytes?: number;
  /** What one caller may hold, across its connections; and the bytes queued in the whole process. */
  limits?: LiveLimits;
  warn?: (obj: object, msg: string) => void;
  /** Carries refresh signals to the other replicas (Redis); without it, refreshes stay on this replica. */
  bus?: RefreshBus | undefined;
}

/** The two kinds of shared pollers: the pool list of a scope, and one pool's metrics. */
export type PollerKind = 'list' | 'metrics';

/** A change made through this gateway, announced to the live layer. */
export type ChangeKind = 'created' | 'updated' | 'deleted';

/** A shared poller and its subscribers. */
interface Shared<P extends { stop(): void }, S> {
  poller: P;
  subscribers: Set<S>;
}

interface ListSubscriber {
  deliver: (event: WatcherEvent, bytes: number) => void;
}

interface MetricsSubscriber {
  types: ReadonlySet<MetricType>;
  deliver: (event: MetricsEvent) => void;
}

/** Who subscribes: the token its pollers use, and the caller whose budgets it spends (src/edge/callers.ts). */
export interface LiveSubscriber {
  token: string;
  caller: string;
}

/** About how many bytes an event takes once written out to a subscriber: its pool, or its samples. */
function watcherEventBytes(event: WatcherEvent): number {
  return event.kind === 'end' ? 256 : 512 + JSON.stringify(event.change.pool).length;
}

/**
 * What one sample holds while it is being written out: its resolved object and its JSON
 * (`{"timestamp":"…","value":12.5,"raw":"12.5"}`, about 70 bytes), measured at about this much.
 */
const BYTES_PER_SAMPLE = 160;

function metricsEventBytes(series: readonly MetricSeries[]): number {
  let bytes = 512;
  for (const one of series) bytes += 128 + one.values.length * BYTES_PER_SAMPLE;
  return bytes;
}

/** A metrics event as one subscriber receives it: only the series of its own types. */
export type MetricsDelivery = Delivered<MetricsEvent>;
export type WatcherDelivery = Delivered<WatcherEvent>;

/**
 * The live layer: shared pollers, each started by its first subscriber and
 * stopped when its last one leaves.
 * - One pool list watcher per credential scope (a hash of the token), for
 *   `nodePoolChanged` and `nodePoolPhaseChanged` alike.
 * - One metrics poller per (scope, pool, window), for every subscriber of
 *   `nodePoolMetrics` on that pool and window, asking for the union of
 *   their types.
 * Scopes never share data: each poller polls with its own token and
 * publishes only to its own subscribers. Each subscriber has a bounded
 * queue (bounded-queue.ts).
 */
/** What the live layer tells its listeners (metrics): each poll of a shared poller, each event dropped. */
export interface LiveUpdatesEvents {
  poll: [kind: PollerKind, outcome: 'ok' | 'error'];
  drop: [kind: PollerKind];
}

export class LiveUpdates extends EventEmitter<LiveUpdatesEvents> {
  private readonly lists = new Map<string, Shared<ListWatcher, ListSubscriber>>();
  private readonly metrics = new Map<string, Shared<MetricsPoller, MetricsSubscriber>>();
  private readonly open = new Set<{ close(): void }>();
  private readonly budgets: LiveBudgets;
  private stopped = false;
  private polls = 0;

  constructor(private readonly options: LiveUpdatesOptions) {
    super();
    this.budgets = new LiveBudgets(options.limits ?? DEFAULT_LIVE_LIMITS);
    // Another replica served a mutation: refresh this replica's watcher of that scope, if it has one.
    options.bus?.onSignal((signal) =>
      this.lists.get(signal.scope)?.poller.refresh(signal.poolId, signal.change),
    );
  }

  /** Pool list polls made since start, all scopes together (each poll lists every pool of its scope). */
  get pollCount(): number {
    return this.polls;
  }

  /** Running pollers of each kind. */
  get pollers(): Record<PollerKind, number> {
    return { list: this.lists.size, metrics: this.metrics.size };
  }

  /** Number of open subscriptions. */
  get subscriptions(): number {
    return this.open.size;
  }

  /** Bytes queued for slow subscribers now. */
  get queuedBytes(): number {
    return this.budgets.queuedBytes;
  }

  /**
   * The events of the subscriber's scope's pool list watcher that `accept`
   * takes, from the moment its first snapshot is taken. Ends after an `end`
   * event (the token stopped working) or when the gateway stops; leaving
   * releases the watcher.
   *
   * @throws {LiveLimitError} when the caller holds the most subscriptions its budget allows.
   */
  subscribe(
    who: LiveSubscriber,
    accept: (event: WatcherEvent) => boolean = () => true,
  ): AsyncIterableIterator<WatcherDelivery> {
    const key = credentialScope(who.token);
    const admission = this.budgets.admit(who.caller);
    const shared = this.stopped ? undefined : this.acquireList(key, who.token);
    const queue = this.queue<WatcherEvent>('list', admission, () => {
      if (shared) this.leave(this.lists, key, shared, subscriber);
    });
    const subscriber: ListSubscriber = {
      deliver: (event, bytes) => {
        if (event.kind !== 'end' && !accept(event)) return;
        queue.push(event, bytes);
        if (event.kind === 'end') queue.close();
      },
    };
    shared?.subscribers.add(subscriber);
    return queue;
  }

  /**
   * One pool's metrics over a moving window (quantised: {@link quantiseWindow}),
   * for the subscriber's scope: the series polled last, at once when there
   * is one, then each poll's. Subscribers of one pool and window share one
   * poller, which asks for the union of their types; each receives only its
   * own types. Ends when the pool is gone or the token stops working.
   *
   * @throws {LiveLimitError} when the caller holds the most subscriptions, or metrics pollers, its budget allows.
   */
  subscribeMetrics(
    who: LiveSubscriber,
    pool: NodePool,
    types: readonly MetricType[],
    asked: LiveWindow,
  ): AsyncIterableIterator<MetricsDelivery> {
    const window = quantiseWindow(asked);
    const key = `${credentialScope(who.token)}\0${pool.id}\0${window.durationMs}\0${window.samples}`;
    const admission = this.budgets.admit(who.caller, key);
    const wanted = new Set(types);
    const shared = this.stopped ? undefined : this.acquireMetrics(key, who.token, pool, window);
    const queue = this.queue<MetricsEvent>('metrics', admission, () => {
      if (shared) this.leave(this.metrics, key, shared, subscriber);
    });
    const subscriber: MetricsSubscriber = {
      types: wanted,
      deliver: (event) => {
        if (event.kind === 'end') {
          queue.push(event, 256);
          queue.close();
          return;
        }
        // A poll that started before this subscriber joined may lack its types: the next one has them.
        if (!types.every((type) => event.types.has(type))) return;
        const series = event.series.filter((s) => wanted.has(s.type));
        queue.push({ ...event, series }, metricsEventBytes(series));
      },
    };
    if (shared) {
      shared.subscribers.add(subscriber);
      const current = shared.poller.current;
      if (current && types.every((type) => current.types.has(type))) subscriber.deliver(current);
      else shared.poller.pollSoon();
    }
    return queue;
  }

  /** Resolves once the caller's scope has its first snapshot (tests and warm-up). */
  async ready(token: string): Promise<void> {
    await this.lists.get(credentialScope(token))?.poller.ready();
  }

  /**
   * A mutation through the gateway changed a pool: the scope's watcher, if
   * any, polls now and then until the pool settles, so subscribers see the
   * whole lifecycle without waiting for the regular interval.
   */
  notifyChange(token: string, poolId: string | undefined, change: ChangeKind = 'updated'): void {
    const scope = credentialScope(token);
    // Locally at once, whatever Redis does; the other replicas through the bus, by scope hash only.
    this.lists.get(scope)?.poller.refresh(poolId, change);
    this.options.bus?.publish({ scope, poolId, change });
  }

  /** Ends every subscription and stops every poller. */
  stop(): void {
    this.stopped = true;
    for (const queue of [...this.open]) queue.close();
    for (const { poller } of this.lists.values()) poller.stop();
    for (const { poller } of this.metrics.values()) poller.stop();
    this.lists.clear();
    this.metrics.clear();
  }

  private queue<E extends object>(
    kind: PollerKind,
    admission: Admission,
    release: () => void,
  ): BoundedQueue<E> {
    const queue: BoundedQueue<E> = new BoundedQueue<E>({
      capacity: this.options.queueCapacity ?? 100,
      maxBytes: this.options.queueBytes ?? 1024 * 1024,
      budget: admission.bytes,
      onDrop: () => this.emit('drop', kind),
      onClose: () => {
        this.open.delete(queue);
        admission.release();
        release();
      },
    });
    if (this.stopped) queue.close();
    else this.open.add(queue);
    return queue;
  }

  private acquireList(key: string, token: string): Shared<ListWatcher, ListSubscriber> {
    const existing = this.lists.get(key);
    if (existing) return existing;
    const subscribers = new Set<ListSubscriber>();
    const watcher = new ListWatcher({
      api: bindNodePoolsApi({ http: this.options.http, token }),
      intervalMs: this.options.intervalMs,
      settleDelaysMs: this.options.settleDelaysMs ?? [500, 1000, 2000, 4000, 8000],
      maxBackoffMs: this.options.maxBackoffMs ?? 60_000,
      publish: (event) => {
        const bytes = watcherEventBytes(event);
        for (const subscriber of [...subscribers]) subscriber.deliver(event, bytes);
        if (event.kind === 'end') this.lists.delete(key);
      },
      onPoll: (outcome) => {
        this.polls++;
        this.emit('poll', 'list', outcome);
      },
      ...(this.options.warn ? { warn: this.options.warn } : {}),
    });
    const shared = { poller: watcher, subscribers };
    this.lists.set(key, shared);
    return shared;
  }

  /** A subscriber left; the poller stops with its last one. */
  private leave<P extends { stop(): void }, S>(
    pollers: Map<string, Shared<P, S>>,
    key: string,
    shared: Shared<P, S>,
    subscriber: S,
  ): void {
    shared.subscribers.delete(subscriber);
    if (shared.subscribers.size > 0) return;
    shared.poller.stop();
    if (pollers.get(key) === shared) pollers.delete(key);
  }

  private acquireMetrics(
    key: string,
    token: string,
    pool: NodePool,
    window: LiveWindow,
  ): Shared<MetricsPoller, MetricsSubscriber> {
    const existing = this.metrics.get(key);
    if (existing) return existing;
    const subscribers = new Set<MetricsSubscriber>();
    const poller = new MetricsPoller({
      api: bindNodePoolsApi({ http: this.options.http, token }),
      pool,
      window,
      types: () => new Set([...subscribers].flatMap((s) => [...s.types])),
      intervalMs: this.options.metricsIntervalMs ?? this.options.intervalMs,
      maxBackoffMs: this.options.maxBackoffMs ?? 60_000,
      publish: (event) => {
        for (const subscriber of [...subscribers]) subscriber.deliver(event);
        if (event.kind === 'end') this.metrics.delete(key);
      },
      onPoll: (outcome) => this.emit('poll', 'metrics', outcome),
      ...(this.options.warn ? { warn: this.options.warn } : {}),
    });
    const shared = { poller, subscribers };
    this.metrics.set(key, shared);
    return shared;
  }
}

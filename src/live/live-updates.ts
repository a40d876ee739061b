import { EventEmitter } from 'node:events';
import { credentialScope } from '../upstream/credential-scope.js';
import type { UpstreamHttp } from '../upstream/http.js';
import type { MetricType, NodePool } from '../upstream/models.js';
import { BoundedQueue, type Delivered } from './bounded-queue.js';
import { type FeedEvent, feedDelivery, resumeFeed } from './change-feed.js';
import { decodeWatcherEvent } from './event-codec.js';
import { type Admission, DEFAULT_LIVE_LIMITS, LiveBudgets, type LiveLimits } from './live-budgets.js';
import { type LiveStore, type LogLimits, ownStore, type TopicEntry } from './live-store.js';
import {
  createListTopic,
  createMetricsTopic,
  deliverToList,
  deliverToMetrics,
  feedEventBytes,
  type ListSubscriber,
  type ListTopic,
  leaseMs,
  type MetricsSubscriber,
  type MetricsTopic,
  metricsEventBytes,
  type PollerKind,
  type Topic,
  type TopicDeps,
} from './live-topics.js';
import { type LiveWindow, type MetricsEvent, quantiseWindow } from './pool-metrics-poller.js';
import type { RefreshBus } from './refresh-bus.js';
import type { TopicRole } from './shared-topic.js';
import type { PollerSettings } from './topic-pollers.js';

export type { PollerKind } from './live-topics.js';

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
  /** Where this process starts polling a topic for the deployment (one line per topic and poller). */
  info?: (obj: object, msg: string) => void;
  /** Carries refresh signals to the other replicas (Redis); without it, refreshes stay on this replica. */
  bus?: RefreshBus | undefined;
  /**
   * What the processes of the deployment share (leases, logs, events): the
   * cluster primary's or Redis. Without it, this process polls alone.
   */
  store?: LiveStore | undefined;
  /** The clock that judges whether a stored state is still current (tests move it). Default `Date.now`. */
  now?: () => number;
  /** The change feed's log per scope (LIVE_LOG_LENGTH, LIVE_LOG_MAX_AGE_SECONDS). Default 1000 events, 1 hour. */
  log?: LogLimits;
}

/** A change made through this gateway, announced to the live layer. */
export type ChangeKind = 'created' | 'updated' | 'deleted';

/** Who subscribes: the token its pollers use, and the caller whose budgets it spends (src/http/callers.ts). */
export interface LiveSubscriber {
  token: string;
  caller: string;
}

/** A metrics event as one subscriber receives it: only the series of its own types. */
export type MetricsDelivery = Delivered<MetricsEvent>;
export type WatcherDelivery = Delivered<FeedEvent>;

/** What the live layer tells its listeners (metrics). */
export interface LiveUpdatesEvents {
  /** Each poll of a poller of this process. */
  poll: [kind: PollerKind, outcome: 'ok' | 'error'];
  /** An event dropped from a slow subscriber's queue. */
  drop: [kind: PollerKind];
  /** This process took a topic's lease from a poller that left or died. */
  handover: [kind: PollerKind];
  /** Events replayed to resuming subscribers, and resumes answered with a resync. */
  replayed: [count: number];
  resync: [];
  /** A watcher of any process saw this scope's pool change (created, updated, deleted), or lost track (no pool). */
  'pools-changed': [scope: string, poolId: string | undefined];
}

/** Metrics topics' keys start so; a pool list topic's key is its scope. */
const METRICS_TOPIC = 'm.';

const DEFAULT_LOG: LogLimits = { length: 1000, maxAgeMs: 3_600_000 };

/**
 * The live layer: shared pollers, started with the first subscriber of a
 * topic and stopped with its last one, in the whole deployment.
 * - One pool list watcher per credential scope (a hash of the token), for
 *   `nodePoolChanged` and `nodePoolPhaseChanged` alike; its events are
 *   logged per scope, so that a subscriber can resume after a cursor.
 * - One metrics poller per (scope, pool, window), for every subscriber of
 *   `nodePoolMetrics` on that pool and window, asking for the union of
 *   their types.
 * With a shared store (shared-topic.ts), one process of the deployment
 * polls each topic, and every process delivers its events to its own
 * subscribers. Scopes never share data: each poller polls with the token
 * of a subscriber in its own process, and its events reach only its
 * scope's subscribers. Each subscriber has a bounded queue (bounded-queue.ts).
 */
export class LiveUpdates extends EventEmitter<LiveUpdatesEvents> {
  private readonly lists = new Map<string, ListTopic>();
  private readonly metrics = new Map<string, MetricsTopic>();
  private readonly open = new Set<{ close(): void }>();
  private readonly budgets: LiveBudgets;
  private readonly store: LiveStore;
  private readonly own: LiveStore;
  private readonly settings: PollerSettings;
  private readonly topics: TopicDeps;
  private stopped = false;
  private polls = 0;

  constructor(private readonly options: LiveUpdatesOptions) {
    super();
    this.budgets = new LiveBudgets(options.limits ?? DEFAULT_LIVE_LIMITS);
    this.own = ownStore();
    this.store = options.store ?? this.own;
    this.settings = {
      http: options.http,
      intervalMs: options.intervalMs,
      metricsIntervalMs: options.metricsIntervalMs ?? options.intervalMs,
      settleDelaysMs: options.settleDelaysMs ?? [500, 1000, 2000, 4000, 8000],
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      warn: options.warn,
      onPoll: (kind, outcome) => {
        if (kind === 'list') this.polls++;
        this.emit('poll', kind, outcome);
      },
    };
    this.topics = {
      store: this.store,
      own: this.own,
      settings: this.settings,
      log: options.log ?? DEFAULT_LOG,
      now: options.now,
      warn: options.warn,
      onRole: (kind, key, role, handover) => this.roleChanged(kind, key, role, handover),
    };
    const dispatch = (topic: string, entries: TopicEntry[]) => this.dispatch(topic, entries);
    this.store.listen(dispatch);
    if (this.own !== this.store) this.own.listen(dispatch);
    // Another process served a mutation: refresh this process's watcher of that scope, if it polls it.
    options.bus?.onSignal((signal) =>
      this.lists.get(signal.scope)?.watcher?.refresh(signal.poolId, signal.change),
    );
  }

  /** Pool list polls made by this process since start, all scopes together. */
  get pollCount(): number {
    return this.polls;
  }

  /** Topics with subscribers in this process, of each kind. */
  get pollers(): Record<PollerKind, number> {
    return { list: this.lists.size, metrics: this.metrics.size };
  }

  /** Topics this process polls for the deployment (it holds their lease, or polls alone). */
  get leases(): Record<PollerKind, number> {
    const polling = (topics: Map<string, Topic<unknown>>) =>
      [...topics.values()].filter((topic) => topic.shared.role !== 'following').length;
    return { list: polling(this.lists), metrics: polling(this.metrics) };
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
   * The events of the subscriber's scope that `accept` takes: after
   * `after` (a cursor of an earlier event: the log's events since then come
   * first, or a `resync` when the log no longer holds it), else from the
   * moment the scope has its first snapshot. Ends after an `end` event (the
   * token stopped working) or when the gateway stops; leaving releases the
   * watcher.
   *
   * A resume replays at most `maxReplay` events (what the subscriber's call
   * budget pays for) and its queue's capacity: past either, a `resync`.
   *
   * @throws {LiveLimitError} when the caller holds the most subscriptions its budget allows.
   */
  subscribe(
    who: LiveSubscriber,
    accept: (event: FeedEvent) => boolean = () => true,
    after?: string,
    { maxReplay = Number.POSITIVE_INFINITY }: { maxReplay?: number } = {},
  ): AsyncIterableIterator<WatcherDelivery> {
    const key = credentialScope(who.token);
    const admission = this.budgets.admit(who.caller);
    const topic = this.stopped ? undefined : this.listTopic(key, who.token);
    const queue = this.queue<FeedEvent>('list', admission, () => {
      if (topic) this.leave(this.lists, key, topic, subscriber);
    });
    const delivery = feedDelivery({
      after,
      accept,
      push: (event) => {
        queue.push(event, feedEventBytes(event));
        if (event.kind === 'end') queue.close();
      },
      // Run only with `after`, and only once the subscriber is in the topic: no live event slips between.
      resume: () =>
        resumeFeed({
          stores: [this.store, this.own],
          topic: key,
          after: after as string,
          capacity: Math.min(this.options.queueCapacity ?? 100, maxReplay),
          accept,
        }).then((resumed) => {
          if (resumed.kind === 'resync') this.emit('resync');
          else this.emit('replayed', resumed.events.length);
          return resumed;
        }),
    });
    const subscriber: ListSubscriber = { deliver: delivery };
    topic?.subscribers.add(subscriber);
    if (topic && after !== undefined) delivery.resume();
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
    const key = `${METRICS_TOPIC}${credentialScope(who.token)}.${pool.id}.${window.durationMs}.${window.samples}`;
    const admission = this.budgets.admit(who.caller, key);
    const wanted = new Set(types);
    const topic = this.stopped ? undefined : this.metricsTopic(key, who.token, pool, window);
    const queue = this.queue<MetricsEvent>('metrics', admission, () => {
      if (topic) this.leave(this.metrics, key, topic, subscriber);
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
    if (topic) {
      topic.subscribers.add(subscriber);
      const current = topic.latest;
      if (current && types.every((type) => current.types.has(type))) subscriber.deliver(current);
      else if (topic.poller) topic.poller.pollSoon();
      else if (this.store.shared) {
        this.store.want(key, types, 2 * leaseMs(this.settings, 'metrics')).catch(() => {});
      }
    }
    return queue;
  }

  /** Resolves once the caller's scope has its first snapshot (tests and warm-up). */
  async ready(token: string): Promise<void> {
    await this.lists.get(credentialScope(token))?.shared.ready();
  }

  /**
   * A mutation through the gateway changed a pool: the scope's watcher, if
   * this process polls the scope, polls now and then until the pool
   * settles, so subscribers see the whole lifecycle without waiting for the
   * regular interval; the bus tells the other processes. Resolves once the
   * other workers of the machine have heard it (IPC), or once it is sent
   * (Redis, which confirms nothing).
   */
  async notifyChange(
    token: string,
    poolId: string | undefined,
    change: ChangeKind = 'updated',
  ): Promise<void> {
    const scope = credentialScope(token);
    // Locally at once, whatever Redis does; the other replicas through the bus, by scope hash only.
    this.lists.get(scope)?.watcher?.refresh(poolId, change);
    await this.options.bus?.publish({ scope, poolId, change });
  }

  /** Ends every subscription, stops every poller and gives its lease up. */
  stop(): void {
    this.stopped = true;
    for (const queue of [...this.open]) queue.close();
    for (const { shared } of [...this.lists.values(), ...this.metrics.values()]) shared.stop();
    this.lists.clear();
    this.metrics.clear();
  }

  /** Delivers a publication of any process to this process's subscribers of its topic. */
  private dispatch(key: string, entries: TopicEntry[]): void {
    this.announceChanges(key, entries);
    const list = this.lists.get(key);
    if (list && deliverToList(list, entries)) this.retire(this.lists, key, list);
    const metrics = this.metrics.get(key);
    if (metrics && deliverToMetrics(metrics, entries)) this.retire(this.metrics, key, metrics);
  }

  /**
   * Tells listeners (the response cache) of every pool change any process's
   * watcher saw, whether or not this process has subscribers of the scope.
   */
  private announceChanges(key: string, entries: readonly TopicEntry[]): void {
    if (this.listenerCount('pools-changed') === 0 || key.startsWith(METRICS_TOPIC)) return;
    for (const entry of entries) {
      const event = decodeWatcherEvent(entry.data);
      if (event.kind === 'pool') this.emit('pools-changed', key, event.change.poolId);
      else if (event.kind === 'gap') this.emit('pools-changed', key, undefined);
    }
  }

  /** The scope's pool list topic in this process, joined or started. */
  private listTopic(key: string, token: string): ListTopic {
    const topic = this.lists.get(key) ?? createListTopic(this.topics, key, token);
    this.lists.set(key, topic);
    return topic;
  }

  /** The pool's metrics topic for the window in this process, joined or started. */
  private metricsTopic(key: string, token: string, pool: NodePool, window: LiveWindow): MetricsTopic {
    const topic = this.metrics.get(key) ?? createMetricsTopic(this.topics, key, token, pool, window);
    this.metrics.set(key, topic);
    return topic;
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

  /** Counts a handover, and says where a topic is polled when the deployment shares its pollers. */
  private roleChanged(kind: PollerKind, key: string, role: TopicRole, handover: boolean): void {
    if (handover) this.emit('handover', kind);
    if (role === 'polling' && this.store.shared) {
      this.options.info?.(
        { kind, topic: key.slice(0, 14), handover },
        'polling a live topic for the deployment',
      );
    }
  }

  /** A subscriber left; the topic is released with its last one. */
  private leave<S>(topics: Map<string, Topic<S>>, key: string, topic: Topic<S>, subscriber: S): void {
    topic.subscribers.delete(subscriber);
    if (topic.subscribers.size === 0) this.retire(topics, key, topic);
  }

  private retire<S>(topics: Map<string, Topic<S>>, key: string, topic: Topic<S>): void {
    topic.shared.stop();
    if (topics.get(key) === topic) topics.delete(key);
  }
}

import { EventEmitter } from 'node:events';
import { credentialScope } from '../edge/credentials.js';
import type { MetricSeries } from '../loaders/pool-metrics.js';
import type { UpstreamHttp } from '../upstream/http.js';
import type { MetricType, NodePool } from '../upstream/models.js';
import { BoundedQueue, type Delivered } from './bounded-queue.js';
import { type FeedEvent, resumeFeed } from './change-feed.js';
import {
  decodeMetricsEvent,
  decodePools,
  decodeWatcherEvent,
  encodePools,
  type PoolsSnapshot,
} from './event-codec.js';
import type { ListWatcher } from './list-watcher.js';
import { type Admission, DEFAULT_LIVE_LIMITS, LiveBudgets, type LiveLimits } from './live-budgets.js';
import { type LiveStore, type LogLimits, ownStore, type TopicEntry } from './live-store.js';
import { type LiveWindow, type MetricsEvent, quantiseWindow } from './pool-metrics-poller.js';
import type { RefreshBus } from './refresh-bus.js';
import { SharedTopic, type TopicPoller, type TopicRole } from './shared-topic.js';
import { type PollerSettings, startListWatcher, startMetricsPoller } from './topic-pollers.js';

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

/** The two kinds of shared pollers: the pool list of a scope, and one pool's metrics. */
export type PollerKind = 'list' | 'metrics';

/** A change made through this gateway, announced to the live layer. */
export type ChangeKind = 'created' | 'updated' | 'deleted';

/** A topic with subscribers in this process. */
interface Topic<S> {
  shared: SharedTopic;
  subscribers: Set<S>;
}

interface ListSubscriber {
  deliver: (event: FeedEvent, bytes: number) => void;
}

interface MetricsSubscriber {
  types: ReadonlySet<MetricType>;
  deliver: (event: MetricsEvent) => void;
}

interface ListTopic extends Topic<ListSubscriber> {
  /** This process's poller of the topic, while it polls. */
  watcher?: ListWatcher | undefined;
  /**
   * The scope's pool list as this process last knew it, whoever polled: from the snapshots it saw and the
   * events since. Should the store become unreachable, its own poller starts from it, and misses nothing.
   */
  mirror?: PoolsSnapshot | undefined;
}

interface MetricsTopic extends Topic<MetricsSubscriber> {
  /** The last series polled (here or by the process that polls), for a subscriber who joins between polls. */
  latest?: Extract<MetricsEvent, { kind: 'metrics' }> | undefined;
  /** The types every other process's subscribers want. */
  remote: ReadonlySet<MetricType>;
  poller?: TopicPoller & { pollSoon(): void };
}

/** Who subscribes: the token its pollers use, and the caller whose budgets it spends (src/edge/callers.ts). */
export interface LiveSubscriber {
  token: string;
  caller: string;
}

/** Keeps a topic's mirror of its scope's pool list up to date with an event of any process's poller. */
function mirrorEvent(topic: ListTopic, event: FeedEvent): void {
  const { mirror } = topic;
  if (!mirror || (event.kind !== 'pool' && event.kind !== 'phase')) return;
  const gone = event.kind === 'pool' ? event.change.kind === 'DELETED' : event.change.phase === 'Deleted';
  if (gone) mirror.pools.delete(event.change.poolId);
  else mirror.pools.set(event.change.poolId, event.change.pool);
  mirror.at = Math.max(mirror.at, event.change.observedAt.getTime());
}

/** About how many bytes an event takes once written out to a subscriber: its pool, or its samples. */
export function feedEventBytes(event: FeedEvent): number {
  return event.kind === 'phase' || event.kind === 'pool'
    ? 512 + JSON.stringify(event.change.pool).length
    : 256;
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
}

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
  private readonly log: LogLimits;
  private stopped = false;
  private polls = 0;

  constructor(private readonly options: LiveUpdatesOptions) {
    super();
    this.budgets = new LiveBudgets(options.limits ?? DEFAULT_LIVE_LIMITS);
    this.log = options.log ?? DEFAULT_LOG;
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
   * @throws {LiveLimitError} when the caller holds the most subscriptions its budget allows.
   */
  subscribe(
    who: LiveSubscriber,
    accept: (event: FeedEvent) => boolean = () => true,
    after?: string,
  ): AsyncIterableIterator<WatcherDelivery> {
    const key = credentialScope(who.token);
    const admission = this.budgets.admit(who.caller);
    const topic = this.stopped ? undefined : this.listTopic(key, who.token);
    const queue = this.queue<FeedEvent>('list', admission, () => {
      if (topic) this.leave(this.lists, key, topic, subscriber);
    });
    /** Live events that come while the log is read, delivered after it. */
    let held: FeedEvent[] | undefined = after === undefined ? undefined : [];
    let resynced = false;
    const push = (event: FeedEvent) => {
      if (event.kind === 'resync') {
        // A gap in the log matters only to a subscriber that resumes from before it, and only once.
        if (after === undefined || resynced) return;
        resynced = true;
      } else if (event.kind !== 'end' && !accept(event)) return;
      queue.push(event, feedEventBytes(event));
      if (event.kind === 'end') queue.close();
    };
    const subscriber: ListSubscriber = { deliver: (event) => (held ? held.push(event) : push(event)) };
    topic?.subscribers.add(subscriber);
    if (topic && after !== undefined) {
      void resumeFeed({
        stores: [this.store, this.own],
        topic: key,
        after,
        capacity: this.options.queueCapacity ?? 100,
        accept,
      }).then((resumed) => {
        if (resumed.kind === 'resync') this.emit('resync');
        else this.emit('replayed', resumed.events.length);
        for (const event of resumed.events) push(event);
        const seen = new Set(resumed.events.map((event) => event.cursor));
        for (const event of held ?? [])
          if (event.cursor === undefined || !seen.has(event.cursor)) push(event);
        held = undefined;
      });
    }
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
    const key = `m.${credentialScope(who.token)}.${pool.id}.${window.durationMs}.${window.samples}`;
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
      else if (this.store.shared) this.store.want(key, types, 2 * this.leaseMs('metrics')).catch(() => {});
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
   * regular interval; the bus tells the other processes.
   */
  notifyChange(token: string, poolId: string | undefined, change: ChangeKind = 'updated'): void {
    const scope = credentialScope(token);
    // Locally at once, whatever Redis does; the other replicas through the bus, by scope hash only.
    this.lists.get(scope)?.watcher?.refresh(poolId, change);
    this.options.bus?.publish({ scope, poolId, change });
  }

  /** Ends every subscription, stops every poller and gives its lease up. */
  stop(): void {
    this.stopped = true;
    for (const queue of [...this.open]) queue.close();
    for (const { shared } of [...this.lists.values(), ...this.metrics.values()]) shared.stop();
    this.lists.clear();
    this.metrics.clear();
  }

  /** How long a lease lasts: two intervals, so that a poller that dies is replaced within about two. */
  private leaseMs(kind: PollerKind): number {
    const interval = kind === 'list' ? this.settings.intervalMs : this.settings.metricsIntervalMs;
    return Math.max(2 * interval, 500);
  }

  /** Delivers a publication of any process to this process's subscribers of its topic. */
  private dispatch(key: string, entries: TopicEntry[]): void {
    const list = this.lists.get(key);
    if (list) {
      for (const entry of entries) {
        const logged = decodeWatcherEvent(entry.data);
        const event: FeedEvent = {
          ...(logged.kind === 'gap' ? { kind: 'resync', observedAt: new Date() } : logged),
          ...(entry.id ? { cursor: entry.id } : {}),
        };
        mirrorEvent(list, event);
        for (const subscriber of [...list.subscribers]) subscriber.deliver(event, 0);
        if (event.kind === 'end') this.retire(this.lists, key, list);
      }
      return;
    }
    const metrics = this.metrics.get(key);
    if (!metrics) return;
    for (const entry of entries) {
      const event = decodeMetricsEvent(entry.data);
      if (event.kind === 'metrics') metrics.latest = event;
      for (const subscriber of [...metrics.subscribers]) subscriber.deliver(event);
      if (event.kind === 'end') this.retire(this.metrics, key, metrics);
    }
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

  private topicOptions(kind: PollerKind, key: string, log: LogLimits | undefined) {
    return {
      topic: key,
      store: this.store,
      own: this.own,
      leaseMs: this.leaseMs(kind),
      ...(this.options.now ? { now: this.options.now } : {}),
      log,
      // A stored state seeds a poller only while a poll confirmed it lately (shared-topic.ts): kept a little longer.
      snapshotTtlMs: 4 * this.leaseMs(kind),
      onRole: (role: TopicRole, handover: boolean) => this.roleChanged(kind, key, role, handover),
      ...(this.options.warn ? { warn: this.options.warn } : {}),
    };
  }

  private listTopic(key: string, token: string): ListTopic {
    const existing = this.lists.get(key);
    if (existing) return existing;
    const topic: ListTopic = { subscribers: new Set(), shared: undefined as unknown as SharedTopic };
    this.lists.set(key, topic);
    topic.shared = new SharedTopic({
      ...this.topicOptions('list', key, this.log),
      onState: (snapshot) => {
        const state = decodePools(snapshot);
        if (!topic.mirror || topic.mirror.at <= state.at) topic.mirror = state;
      },
      fallbackSeed: () => (topic.mirror ? encodePools(topic.mirror.pools, topic.mirror.at) : undefined),
      wantsState: () => topic.mirror === undefined,
      start: (seed, publish) => {
        const watcher = startListWatcher(this.settings, token, seed, publish, this.log.maxAgeMs / 4);
        topic.watcher = watcher;
        return {
          stop: () => {
            watcher.stop();
            if (topic.watcher === watcher) topic.watcher = undefined;
          },
          ready: () => watcher.ready(),
        };
      },
    });
    return topic;
  }

  private metricsTopic(key: string, token: string, pool: NodePool, window: LiveWindow): MetricsTopic {
    const existing = this.metrics.get(key);
    if (existing) return existing;
    const topic: MetricsTopic = {
      subscribers: new Set(),
      remote: new Set(),
      shared: undefined as unknown as SharedTopic,
    };
    this.metrics.set(key, topic);
    const localTypes = () => [...topic.subscribers].flatMap((s) => [...s.types]);
    topic.shared = new SharedTopic({
      ...this.topicOptions('metrics', key, undefined),
      onRole: (role, handover) => {
        this.roleChanged('metrics', key, role, handover);
        // A follower's first subscribers get the series the poller stored last, as they would from it.
        if (role !== 'following' || topic.latest) return;
        this.store
          .snapshot(key)
          .then((seed) => {
            const event = seed === undefined || topic.latest ? undefined : decodeMetricsEvent(seed.data);
            if (event?.kind !== 'metrics') return;
            topic.latest = event;
            for (const subscriber of [...topic.subscribers]) subscriber.deliver(event);
          })
          .catch(() => {});
      },
      // Every process says which types its subscribers want; the one that polls asks Run:ai for them all.
      beforeClaim: async () => {
        await this.store.want(key, [...new Set(localTypes())], 2 * this.leaseMs('metrics'));
        topic.remote = new Set((await this.store.wanted(key)) as MetricType[]);
      },
      start: (seed, publish) => {
        if (seed !== undefined && !topic.latest) {
          const event = decodeMetricsEvent(seed);
          if (event.kind === 'metrics') topic.latest = event;
        }
        const types = () => new Set([...localTypes(), ...topic.remote]);
        const poller = startMetricsPoller(this.settings, token, pool, window, types, publish);
        topic.poller = poller;
        return {
          stop: () => {
            poller.stop();
            if (topic.poller === poller) topic.poller = undefined;
          },
        };
      },
    });
    return topic;
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

import { EventEmitter } from 'node:events';
import { credentialScope } from '../upstream/credential-scope.js';
import type { MetricType, NodePool } from '../upstream/models.js';
import type { LiveStore } from './coordination/live-store.js';
import { ownStore } from './coordination/memory-store.js';
import type { TopicRole } from './coordination/shared-topic.js';
import type { PollerSettings } from './coordination/topic-pollers.js';
import { BoundedQueue } from './fan-out/bounded-queue.js';
import { CallerBudgets, DEFAULT_LIVE_LIMITS, type SubscriptionSlot } from './fan-out/caller-budgets.js';
import { type FeedEvent, feedDelivery, resumeFeed } from './fan-out/change-feed.js';
import { metricsTopicKey, ProcessTopics } from './fan-out/process-topics.js';
import {
  feedEventBytes,
  type ListSubscriber,
  leaseMs,
  metricsSubscriber,
  type PollerKind,
  type TopicDeps,
} from './fan-out/topics.js';
import {
  LIVE_DEFAULTS,
  type LiveSubscriber,
  type LiveUpdatesEvents,
  type LiveUpdatesOptions,
  type MetricsDelivery,
  type MutationKind,
  type WatcherDelivery,
} from './live-updates-types.js';
import { type LiveWindow, type MetricsEvent, quantiseWindow } from './pollers/pool-metrics-poller.js';

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
  private readonly topics: ProcessTopics;
  private readonly open = new Set<{ close(): void }>();
  private readonly budgets: CallerBudgets;
  private readonly store: LiveStore;
  private readonly own: LiveStore;
  private readonly settings: PollerSettings;
  private stopped = false;
  private polls = 0;

  constructor(private readonly options: LiveUpdatesOptions) {
    super();
    this.budgets = new CallerBudgets(options.limits ?? DEFAULT_LIVE_LIMITS);
    this.own = ownStore();
    this.store = options.store ?? this.own;
    this.settings = {
      http: options.http,
      intervalMs: options.intervalMs,
      metricsIntervalMs: options.metricsIntervalMs ?? LIVE_DEFAULTS.metricsIntervalMs,
      settleDelaysMs: options.settleDelaysMs ?? LIVE_DEFAULTS.settleDelaysMs,
      maxBackoffMs: options.maxBackoffMs ?? LIVE_DEFAULTS.maxBackoffMs,
      warn: options.warn,
      onPoll: (kind, outcome) => {
        if (kind === 'list') this.polls++;
        this.emit('poll', kind, outcome);
      },
    };
    const deps: TopicDeps = {
      store: this.store,
      own: this.own,
      settings: this.settings,
      log: options.log ?? LIVE_DEFAULTS.log,
      now: options.now,
      warn: options.warn,
      onRole: (kind, key, role, handover) => this.roleChanged(kind, key, role, handover),
    };
    // The response cache listens, whether or not this process has subscribers of the scope.
    this.topics = new ProcessTopics(deps, {
      wanted: () => this.listenerCount('pools-changed') > 0,
      changed: (scope, poolId) => this.emit('pools-changed', scope, poolId),
    });
    // Another process served a mutation: refresh this process's watcher of that scope, if it polls it.
    options.bus?.onSignal((signal) => this.topics.refresh(signal.scope, signal.poolId, signal.change));
  }

  /** Pool list polls made by this process since start, all scopes together. */
  get pollCount(): number {
    return this.polls;
  }

  /** Topics with subscribers in this process, of each kind. */
  get topicCounts(): Record<PollerKind, number> {
    return this.topics.counts;
  }

  /** Topics this process polls for the deployment (it holds their lease, or polls alone). */
  get leases(): Record<PollerKind, number> {
    return this.topics.leases;
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
    const slot = this.budgets.take(who.caller);
    const topic = this.stopped ? undefined : this.topics.list(key, who.token);
    const queue = this.queue<FeedEvent>('list', slot, () => {
      if (topic) this.topics.leave(key, topic, subscriber);
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
          capacity: Math.min(this.options.queueCapacity ?? LIVE_DEFAULTS.queueCapacity, maxReplay),
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
    const key = metricsTopicKey(credentialScope(who.token), pool, window);
    const slot = this.budgets.take(who.caller, key);
    const topic = this.stopped ? undefined : this.topics.metricsOf(key, who.token, pool, window);
    const queue = this.queue<MetricsEvent>('metrics', slot, () => {
      if (topic) this.topics.leave(key, topic, subscriber);
    });
    const subscriber = metricsSubscriber(types, queue);
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
    await this.topics.ready(credentialScope(token));
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
    change: MutationKind = 'updated',
  ): Promise<void> {
    const scope = credentialScope(token);
    // Locally at once, whatever Redis does; the other replicas through the bus, by scope hash only.
    this.topics.refresh(scope, poolId, change);
    await this.options.bus?.publish({ scope, poolId, change });
  }

  /** Ends every subscription, stops every poller and gives its lease up. */
  stop(): void {
    this.stopped = true;
    for (const queue of [...this.open]) queue.close();
    this.topics.stop();
  }

  private queue<E extends object>(
    kind: PollerKind,
    slot: SubscriptionSlot,
    release: () => void,
  ): BoundedQueue<E> {
    const queue: BoundedQueue<E> = new BoundedQueue<E>({
      capacity: this.options.queueCapacity ?? LIVE_DEFAULTS.queueCapacity,
      maxBytes: this.options.queueBytes ?? LIVE_DEFAULTS.queueBytes,
      budget: slot.bytes,
      onDrop: () => this.emit('drop', kind),
      onClose: () => {
        this.open.delete(queue);
        slot.release();
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
}

/**
 * The topics with subscribers in this process, by key: joined or started
 * with a subscriber, released with the last one, and fed with what any
 * process of the deployment publishes for them.
 */
import type { NodePool } from '../../upstream/models.js';
import type { TopicEntry } from '../coordination/live-store.js';
import type { MutationKind } from '../pollers/list-watcher.js';
import type { LiveWindow } from '../pollers/pool-metrics-poller.js';
import {
  createListTopic,
  createMetricsTopic,
  deliverToList,
  deliverToMetrics,
  feedEventsOf,
  type ListTopic,
  type MetricsTopic,
  type PollerKind,
  type Topic,
  type TopicDeps,
} from './topics.js';

/** Metrics topics' keys start so; a pool list topic's key is its scope. */
const METRICS_TOPIC = 'm.';

/** The key of a pool's metrics topic for one (quantised) window of a scope. */
export function metricsTopicKey(scope: string, pool: NodePool, window: LiveWindow): string {
  return `${METRICS_TOPIC}${scope}.${pool.id}.${window.durationMs}.${window.samples}`;
}

export interface PoolChanges {
  /** Whether anyone listens: the events of scopes without local subscribers are decoded only then. */
  wanted(): boolean;
  /** A watcher of any process saw this scope's pool change, or lost track (no pool). */
  changed(scope: string, poolId: string | undefined): void;
}

export class ProcessTopics {
  private readonly lists = new Map<string, ListTopic>();
  private readonly metrics = new Map<string, MetricsTopic>();

  constructor(
    private readonly deps: TopicDeps,
    private readonly poolChanges: PoolChanges,
  ) {
    const dispatch = (topic: string, entries: TopicEntry[]) => this.dispatch(topic, entries);
    deps.store.listen(dispatch);
    if (deps.own !== deps.store) deps.own.listen(dispatch);
  }

  /** Topics with subscribers in this process, of each kind. */
  get counts(): Record<PollerKind, number> {
    return { list: this.lists.size, metrics: this.metrics.size };
  }

  /** Topics this process polls for the deployment (it holds their lease, or polls alone). */
  get leases(): Record<PollerKind, number> {
    const polling = (topics: Map<string, Topic<unknown>>) =>
      [...topics.values()].filter((topic) => topic.sharing.role !== 'following').length;
    return { list: polling(this.lists), metrics: polling(this.metrics) };
  }

  /** The scope's pool list topic in this process, joined or started. */
  list(scope: string, token: string): ListTopic {
    const topic = this.lists.get(scope) ?? createListTopic(this.deps, scope, token);
    this.lists.set(scope, topic);
    return topic;
  }

  /** The pool's metrics topic for the window in this process, joined or started. */
  metricsOf(key: string, token: string, pool: NodePool, window: LiveWindow): MetricsTopic {
    const topic = this.metrics.get(key) ?? createMetricsTopic(this.deps, key, token, pool, window);
    this.metrics.set(key, topic);
    return topic;
  }

  /** A subscriber left its topic; the topic is released with its last one. */
  leave<S>(key: string, topic: Topic<S>, subscriber: S): void {
    topic.subscribers.delete(subscriber);
    if (topic.subscribers.size === 0) this.retire(key, topic);
  }

  /** A mutation changed a pool of the scope: its watcher, if this process polls it, polls until it settles. */
  refresh(scope: string, poolId: string | undefined, change: MutationKind): void {
    this.lists.get(scope)?.watcher?.refresh(poolId, change);
  }

  /** Resolves once the scope's pool list has its first snapshot, if this process has the topic. */
  async ready(scope: string): Promise<void> {
    await this.lists.get(scope)?.sharing.ready();
  }

  /** Stops every topic's poller and gives its lease up. */
  stop(): void {
    for (const { sharing } of [...this.lists.values(), ...this.metrics.values()]) sharing.stop();
    this.lists.clear();
    this.metrics.clear();
  }

  /**
   * Delivers a publication of any process to this process's subscribers of
   * its topic, and tells of every pool change any process's watcher saw,
   * whether or not this process has subscribers of the scope. Each entry is
   * decoded once.
   */
  private dispatch(key: string, entries: TopicEntry[]): void {
    if (key.startsWith(METRICS_TOPIC)) {
      const metrics = this.metrics.get(key);
      if (metrics && deliverToMetrics(metrics, entries)) this.retire(key, metrics);
      return;
    }
    const list = this.lists.get(key);
    const announce = this.poolChanges.wanted();
    if (!list && !announce) return;
    const events = feedEventsOf(entries);
    if (announce) {
      for (const event of events) {
        if (event.kind === 'pool') this.poolChanges.changed(key, event.change.poolId);
        else if (event.kind === 'resync') this.poolChanges.changed(key, undefined);
      }
    }
    if (list && deliverToList(list, events)) this.retire(key, list);
  }

  private retire<S>(key: string, topic: Topic<S>): void {
    topic.sharing.stop();
    const topics: Map<string, Topic<unknown>> = key.startsWith(METRICS_TOPIC) ? this.metrics : this.lists;
    if (topics.get(key) === topic) topics.delete(key);
  }
}

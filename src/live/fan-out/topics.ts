/**
 * The topics of the live layer in one process (live-updates.ts keeps them
 * by key): a scope's pool list and a pool's metrics window, each a
 * {@link SharedTopic} with its subscribers, its poller while this process
 * polls, and what the process knows of the topic meanwhile (the pool list's
 * mirror, the last series).
 */
import type { MetricSeries } from '../../loaders/pool-metrics.js';
import type { MetricType, NodePool } from '../../upstream/models.js';
import {
  decodeMetricsEvent,
  decodePools,
  decodeWatcherEvent,
  encodePools,
  type PoolsSnapshot,
} from '../coordination/event-codec.js';
import type { LiveStore, LogLimits, TopicEntry } from '../coordination/live-store.js';
import { SharedTopic, type TopicPoller, type TopicRole } from '../coordination/shared-topic.js';
import { type PollerSettings, startListWatcher, startMetricsPoller } from '../coordination/topic-pollers.js';
import type { ListWatcher } from '../pollers/list-watcher.js';
import { DELETED_PHASE } from '../pollers/phase-diff.js';
import type { LiveWindow, MetricsEvent } from '../pollers/pool-metrics-poller.js';
import type { BoundedQueue } from './bounded-queue.js';
import type { FeedEvent } from './change-feed.js';

/** The two kinds of shared pollers: the pool list of a scope, and one pool's metrics. */
export type PollerKind = 'list' | 'metrics';

/** A topic with subscribers in this process. */
export interface Topic<S> {
  sharing: SharedTopic;
  subscribers: Set<S>;
}

export interface ListSubscriber {
  deliver: (event: FeedEvent) => void;
}

export interface MetricsSubscriber {
  types: ReadonlySet<MetricType>;
  deliver: (event: MetricsEvent) => void;
}

export interface ListTopic extends Topic<ListSubscriber> {
  /** This process's poller of the topic, while it polls. */
  watcher?: ListWatcher | undefined;
  /**
   * The scope's pool list as this process last knew it, whoever polled: from the snapshots it saw and the
   * events since. Should the store become unreachable, its own poller starts from it, and misses nothing.
   */
  mirror?: PoolsSnapshot | undefined;
}

export interface MetricsTopic extends Topic<MetricsSubscriber> {
  /** The last series polled (here or by the process that polls), for a subscriber who joins between polls. */
  latest?: Extract<MetricsEvent, { kind: 'metrics' }> | undefined;
  /** The types every other process's subscribers want. */
  remote: ReadonlySet<MetricType>;
  poller?: TopicPoller & { pollSoon(): void };
}

/** What the topics of one process share. */
export interface TopicDeps {
  /** The deployment's store, or this process's own. */
  store: LiveStore;
  /** This process's own store, for polling alone. */
  own: LiveStore;
  settings: PollerSettings;
  log: LogLimits;
  now?: (() => number) | undefined;
  warn?: ((obj: object, msg: string) => void) | undefined;
  /** A topic's role changed in this process. */
  onRole: (kind: PollerKind, key: string, role: TopicRole, handover: boolean) => void;
}

/** How long a lease lasts: two intervals, so that a poller that dies is replaced within about two. */
export function leaseMs(settings: PollerSettings, kind: PollerKind): number {
  const interval = kind === 'list' ? settings.intervalMs : settings.metricsIntervalMs;
  return Math.max(2 * interval, 500);
}

function topicOptions(deps: TopicDeps, kind: PollerKind, key: string, log: LogLimits | undefined) {
  const lease = leaseMs(deps.settings, kind);
  return {
    topic: key,
    store: deps.store,
    own: deps.own,
    leaseMs: lease,
    ...(deps.now ? { now: deps.now } : {}),
    log,
    // A stored state seeds a poller only while a poll confirmed it lately (shared-topic.ts): kept a little longer.
    snapshotTtlMs: 4 * lease,
    onRole: (role: TopicRole, handover: boolean) => deps.onRole(kind, key, role, handover),
    ...(deps.warn ? { warn: deps.warn } : {}),
  };
}

/** A scope's pool list topic, polled with `token` when this process polls it. */
export function createListTopic(deps: TopicDeps, key: string, token: string): ListTopic {
  const topic: ListTopic = { subscribers: new Set(), sharing: undefined as unknown as SharedTopic };
  topic.sharing = new SharedTopic({
    ...topicOptions(deps, 'list', key, deps.log),
    onState: (snapshot) => {
      const state = decodePools(snapshot);
      if (!topic.mirror || topic.mirror.at <= state.at) topic.mirror = state;
    },
    fallbackSeed: () => (topic.mirror ? encodePools(topic.mirror.pools, topic.mirror.at) : undefined),
    wantsState: () => topic.mirror === undefined,
    start: (seed, publish) => {
      const watcher = startListWatcher(deps.settings, token, seed, publish, deps.log.maxAgeMs / 4);
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

/** One pool's metrics topic for one window, polled with `token` when this process polls it. */
export function createMetricsTopic(
  deps: TopicDeps,
  key: string,
  token: string,
  pool: NodePool,
  window: LiveWindow,
): MetricsTopic {
  const topic: MetricsTopic = {
    subscribers: new Set(),
    remote: new Set(),
    sharing: undefined as unknown as SharedTopic,
  };
  const localTypes = () => [...topic.subscribers].flatMap((s) => [...s.types]);
  const options = topicOptions(deps, 'metrics', key, undefined);
  topic.sharing = new SharedTopic({
    ...options,
    onRole: (role, handover) => {
      options.onRole(role, handover);
      // A follower's first subscribers get the series the poller stored last, as they would from it.
      if (role !== 'following' || topic.latest) return;
      deps.store
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
      await deps.store.want(key, [...new Set(localTypes())], 2 * options.leaseMs);
      topic.remote = new Set((await deps.store.wanted(key)) as MetricType[]);
    },
    start: (seed, publish) => {
      if (seed !== undefined && !topic.latest) {
        const event = decodeMetricsEvent(seed);
        if (event.kind === 'metrics') topic.latest = event;
      }
      const types = () => new Set([...localTypes(), ...topic.remote]);
      const poller = startMetricsPoller(deps.settings, token, pool, window, types, publish);
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

/** Keeps a topic's mirror of its scope's pool list up to date with an event of any process's poller. */
function mirrorEvent(topic: ListTopic, event: FeedEvent): void {
  const { mirror } = topic;
  if (!mirror || (event.kind !== 'pool' && event.kind !== 'phase')) return;
  const gone = event.kind === 'pool' ? event.change.kind === 'DELETED' : event.change.phase === DELETED_PHASE;
  if (gone) mirror.pools.delete(event.change.poolId);
  else mirror.pools.set(event.change.poolId, event.change.pool);
  mirror.at = Math.max(mirror.at, event.change.observedAt.getTime());
}

/**
 * A publication of a scope's pool list, as its subscribers receive it:
 * each event with its cursor, a gap in the log as a `resync`. Decoded once
 * per process, whoever reads it.
 */
export function feedEventsOf(entries: readonly TopicEntry[]): FeedEvent[] {
  return entries.map((entry) => {
    const logged = decodeWatcherEvent(entry.data);
    return {
      ...(logged.kind === 'gap' ? { kind: 'resync' as const, observedAt: new Date() } : logged),
      ...(entry.id ? { cursor: entry.id } : {}),
    };
  });
}

/** Delivers a publication of any process to a pool list topic's subscribers; true when it ended the topic. */
export function deliverToList(topic: ListTopic, events: readonly FeedEvent[]): boolean {
  for (const event of events) {
    mirrorEvent(topic, event);
    for (const subscriber of [...topic.subscribers]) subscriber.deliver(event);
    if (event.kind === 'end') return true;
  }
  return false;
}

/** Delivers a publication of any process to a metrics topic's subscribers; true when it ended the topic. */
export function deliverToMetrics(topic: MetricsTopic, entries: readonly TopicEntry[]): boolean {
  for (const entry of entries) {
    const event = decodeMetricsEvent(entry.data);
    if (event.kind === 'metrics') topic.latest = event;
    for (const subscriber of [...topic.subscribers]) subscriber.deliver(event);
    if (event.kind === 'end') return true;
  }
  return false;
}

/**
 * A subscriber of a metrics topic that queues, of each poll, the series of
 * its own `types`; an `end` closes its queue.
 */
export function metricsSubscriber(
  types: readonly MetricType[],
  queue: BoundedQueue<MetricsEvent>,
): MetricsSubscriber {
  const wanted = new Set(types);
  return {
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
}

/** About how many bytes an event takes once written out to a subscriber: its pool. */
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

/** About how many bytes a metrics event takes once written out to a subscriber: its samples. */
export function metricsEventBytes(series: readonly MetricSeries[]): number {
  let bytes = 512;
  for (const one of series) bytes += 128 + one.values.length * BYTES_PER_SAMPLE;
  return bytes;
}

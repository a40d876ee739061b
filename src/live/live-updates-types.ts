/**
 * What the live layer (live-updates.ts) is given, what it tells its
 * listeners, and what its subscribers receive.
 */
import type { UpstreamHttp } from '../upstream/http.js';
import type { LiveStore, LogLimits } from './coordination/live-store.js';
import type { RefreshBus } from './coordination/refresh-bus.js';
import type { Delivered } from './fan-out/bounded-queue.js';
import type { LiveLimits } from './fan-out/caller-budgets.js';
import type { FeedEvent } from './fan-out/change-feed.js';
import type { PollerKind } from './fan-out/topics.js';
import type { MetricsEvent } from './pollers/pool-metrics-poller.js';

export type { PollerKind } from './fan-out/topics.js';

/** The live layer's defaults (each a tuning knob: docs/configuration.md). */
export const LIVE_DEFAULTS = {
  /** Metrics move slower than pools, and each poll costs Run:ai more. */
  metricsIntervalMs: 15_000,
  settleDelaysMs: [500, 1000, 2000, 4000, 8000],
  maxBackoffMs: 60_000,
  queueCapacity: 100,
  queueBytes: 1024 * 1024,
  log: { length: 1000, maxAgeMs: 3_600_000 },
} as const;

export interface LiveUpdatesOptions {
  http: UpstreamHttp;
  /** Interval of the pool list polls. */
  intervalMs: number;
  /** Interval of the metrics polls. */
  metricsIntervalMs?: number;
  /** Polls after a mutation, until the changed pool settles. Default 500, 1000, 2000, 4000, 8000 ms. */
  settleDelaysMs?: readonly number[];
  /** Cap of the back-off after failed polls. Default 60 s. */
  maxBackoffMs?: number;
  /** Events kept for a subscriber that reads slower than they come; older ones are dropped. Default 100. */
  queueCapacity?: number;
  /** Bytes kept for such a subscriber (subscriptionQueueBytes). Default 1 MiB. */
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
  /** The change feed's log per scope (liveLogLength, liveLogMaxAgeSeconds). Default 1000 events, 1 hour. */
  log?: LogLimits;
}

/** A change made through this gateway, announced to the live layer. */
export type { MutationKind } from './pollers/list-watcher.js';

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

/**
 * The pollers a topic starts when this process polls it, wired to publish
 * through the live store: the pool list watcher of a scope, and the
 * metrics poller of a pool and window.
 */
import { bindNodePoolsApi } from '../../upstream/bind-api.js';
import type { UpstreamHttp } from '../../upstream/http.js';
import type { MetricType, NodePool } from '../../upstream/models.js';
import { ListWatcher } from '../pollers/list-watcher.js';
import { type LiveWindow, MetricsPoller } from '../pollers/pool-metrics-poller.js';
import {
  decodePools,
  ENCODED_GAP,
  encodeMetricsEvent,
  encodePools,
  encodeWatcherEvent,
} from './event-codec.js';
import type { TopicPoller } from './shared-topic.js';

export interface PollerSettings {
  http: UpstreamHttp;
  intervalMs: number;
  metricsIntervalMs: number;
  settleDelaysMs: readonly number[];
  maxBackoffMs: number;
  warn?: ((obj: object, msg: string) => void) | undefined;
  /** Each poll made, by kind and outcome. */
  onPoll: (kind: 'list' | 'metrics', outcome: 'ok' | 'error') => void;
}

type Publish = (events: string[], snapshot?: string) => void;

/**
 * A scope's pool list watcher (`GET /api/v1/node-pools`, every page), seeded
 * with the pool list its previous poller left, if still current: what
 * changed while the pollers handed over is announced once, not lost and not
 * twice. Without it, the log gets a gap (event-codec.ts). The pool list goes
 * out with a poll that changed it, and at least every `snapshotEveryMs`;
 * every poll confirms that the stored one is current.
 */
export function startListWatcher(
  settings: PollerSettings,
  token: string,
  seed: string | undefined,
  publish: Publish,
  snapshotEveryMs: number,
): ListWatcher {
  let storedAt = 0;
  // Without its predecessor's state, the poller cannot tell what changed meanwhile: the log says so.
  if (seed === undefined) publish([ENCODED_GAP]);
  return new ListWatcher({
    api: bindNodePoolsApi({ http: settings.http, token }),
    intervalMs: settings.intervalMs,
    settleDelaysMs: settings.settleDelaysMs,
    maxBackoffMs: settings.maxBackoffMs,
    seed: seed === undefined ? undefined : decodePools(seed).pools,
    // Every poll publishes, events or none: the store notes that the last state is still current.
    publish: (events, pools) => {
      const now = Date.now();
      const due = pools !== undefined && (events.length > 0 || now - storedAt >= snapshotEveryMs);
      if (due) storedAt = now;
      publish(events.map(encodeWatcherEvent), due && pools ? encodePools(pools, now) : undefined);
    },
    onPoll: (outcome) => settings.onPoll('list', outcome),
    ...(settings.warn ? { warn: settings.warn } : {}),
  });
}

/**
 * A pool's metrics poller for one window
 * (`GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics`),
 * asking for the types `types()` names at each poll: those of every
 * subscriber, in every process. Each poll's series are the topic's
 * snapshot, which a subscriber joining between polls receives at once.
 */
export function startMetricsPoller(
  settings: PollerSettings,
  token: string,
  pool: NodePool,
  window: LiveWindow,
  types: () => ReadonlySet<MetricType>,
  publish: Publish,
): TopicPoller & { pollSoon(): void } {
  const poller = new MetricsPoller({
    api: bindNodePoolsApi({ http: settings.http, token }),
    pool,
    window,
    types,
    intervalMs: settings.metricsIntervalMs,
    maxBackoffMs: settings.maxBackoffMs,
    publish: (event) => {
      const encoded = encodeMetricsEvent(event);
      publish([encoded], event.kind === 'metrics' ? encoded : undefined);
    },
    onPoll: (outcome) => settings.onPoll('metrics', outcome),
    ...(settings.warn ? { warn: settings.warn } : {}),
  });
  poller.pollSoon();
  return poller;
}

/**
 * Live events as they travel between processes (JSON in the live store):
 * dates as ISO strings, sets as arrays. Pools go as Run:ai returned them.
 */
import type { NodePool } from '../../upstream/models.js';
import type { WatcherEvent } from '../pollers/list-watcher.js';
import type { MetricsEvent } from '../pollers/pool-metrics-poller.js';

type Encoded = Record<string, unknown>;

/**
 * What a scope's log holds: the watcher's events, and `gap` where a poller
 * started without its predecessor's state (none was left, or it was too
 * old): changes may have gone unseen there, so a resume across it is a
 * RESYNC (live, a subscriber that is resuming gets one too).
 */
export type LoggedWatcherEvent = WatcherEvent | { kind: 'gap' };

export function encodeWatcherEvent(event: LoggedWatcherEvent): string {
  return JSON.stringify(event);
}

/** The gap marker as it is logged (the Redis store compares logged entries with it). */
export const ENCODED_GAP = encodeWatcherEvent({ kind: 'gap' });

export function decodeWatcherEvent(data: string): LoggedWatcherEvent {
  const event = JSON.parse(data) as LoggedWatcherEvent;
  if (event.kind === 'phase' || event.kind === 'pool') {
    event.change.observedAt = new Date(event.change.observedAt as unknown as string);
  }
  return event;
}

export function encodeMetricsEvent(event: MetricsEvent): string {
  return JSON.stringify(event.kind === 'metrics' ? { ...event, types: [...event.types] } : event);
}

export function decodeMetricsEvent(data: string): MetricsEvent {
  const event = JSON.parse(data) as Encoded;
  if (event.kind !== 'metrics') return event as unknown as MetricsEvent;
  return {
    ...(event as unknown as Extract<MetricsEvent, { kind: 'metrics' }>),
    start: new Date(event.start as string),
    end: new Date(event.end as string),
    observedAt: new Date(event.observedAt as string),
    types: new Set(event.types as MetricsEvent extends { types: infer T } ? T : never),
  };
}

/** A pool list as a poller saw it, and when (epoch ms). */
export interface PoolsSnapshot {
  at: number;
  pools: Map<string, NodePool>;
}

export function encodePools(pools: ReadonlyMap<string, NodePool>, at: number): string {
  return JSON.stringify({ at, pools: [...pools.values()] });
}

export function decodePools(data: string): PoolsSnapshot {
  const { at, pools } = JSON.parse(data) as { at: number; pools: NodePool[] };
  return { at, pools: new Map(pools.map((pool) => [pool.id, pool])) };
}

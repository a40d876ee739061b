import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../../redis/connection.js';
import type { MutationKind } from '../pollers/list-watcher.js';

/** A mutation changed a pool: every replica with a watcher for `scope` should poll now. */
export interface RefreshSignal {
  /** The credential scope (a hash of the token; never the token). */
  scope: string;
  poolId?: string | undefined;
  change: MutationKind;
  /** The replica that sent it, so it does not refresh twice. */
  origin: string;
}

/** Carries refresh signals between replicas. */
export interface RefreshBus {
  /** This replica's id. */
  readonly origin: string;
  /** Whether signals currently reach the other replicas. */
  readonly connected: boolean;
  /**
   * Sends a signal to the other processes. Resolves when they have handled it, where the bus can know
   * (IPC between workers); when it is sent, otherwise.
   */
  publish(signal: Omit<RefreshSignal, 'origin'>): Promise<void>;
  /** Signals from other replicas. */
  onSignal(handler: (signal: RefreshSignal) => void): void;
  close(): Promise<void>;
}

const REFRESH_CHANNEL = 'nodepool-gateway:refresh';

/**
 * Refresh signals through Redis pub/sub, on the process's shared
 * connections. While Redis is unreachable, publishing fails fast (a late
 * refresh is worth nothing) and the gateway keeps refreshing locally; the
 * subscription comes back with the connection.
 */
export function createRedisBus(redis: RedisConnection, warn: (obj: object, msg: string) => void): RefreshBus {
  const origin = randomUUID();
  const handlers: ((signal: RefreshSignal) => void)[] = [];
  redis.subscribe(REFRESH_CHANNEL, (message) => {
    let signal: RefreshSignal;
    try {
      signal = JSON.parse(message) as RefreshSignal;
    } catch {
      return;
    }
    if (signal.origin === origin) return;
    for (const handler of handlers) handler(signal);
  });
  return {
    origin,
    get connected() {
      return redis.connected;
    },
    async publish(signal) {
      if (!redis.connected) return;
      await redis.publish(REFRESH_CHANNEL, JSON.stringify({ ...signal, origin })).catch((error: Error) => {
        warn({ err: error.message }, 'refresh signal not published to Redis');
      });
    },
    onSignal(handler) {
      handlers.push(handler);
    },
    async close() {},
  };
}

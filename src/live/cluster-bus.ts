/**
 * Refresh signals between the workers of one machine (node:cluster), through
 * the primary: a worker sends its signal over IPC, the primary forwards it to
 * every other worker. Kept apart from the Redis bus so that a worker without
 * Redis never loads ioredis.
 */

import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { RefreshBus, RefreshSignal } from './refresh-bus.js';

const CHANNEL = 'nodepool-gateway:refresh';

interface RefreshMessage {
  channel: typeof CHANNEL;
  signal: RefreshSignal;
}

function isRefreshMessage(message: unknown): message is RefreshMessage {
  return (message as RefreshMessage | null)?.channel === CHANNEL;
}

/**
 * The worker's end: a {@link RefreshBus} over the IPC channel to the primary.
 * Signals are fire-and-forget, like Redis pub/sub: a late refresh is worth
 * nothing, and the regular poll still comes.
 */
export function createClusterBus(): RefreshBus {
  const origin = randomUUID();
  const handlers: ((signal: RefreshSignal) => void)[] = [];
  const receive = (message: unknown) => {
    if (!isRefreshMessage(message) || message.signal.origin === origin) return;
    for (const handler of handlers) handler(message.signal);
  };
  process.on('message', receive);
  return {
    origin,
    get connected() {
      return process.connected;
    },
    publish(signal) {
      if (!process.connected) return;
      const message: RefreshMessage = { channel: CHANNEL, signal: { ...signal, origin } };
      process.send?.(message);
    },
    onSignal(handler) {
      handlers.push(handler);
    },
    async close() {
      process.off('message', receive);
    },
  };
}

/** The primary's end: forwards each worker's refresh signals to every other worker. */
export function relayRefreshSignals(): void {
  cluster.on('message', (from, message: unknown) => {
    if (!isRefreshMessage(message)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(message);
    }
  });
}

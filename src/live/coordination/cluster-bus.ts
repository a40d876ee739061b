/**
 * Refresh signals between the workers of one machine (node:cluster), through
 * the primary: a worker sends its signal over IPC, the primary forwards it to
 * every other worker, and tells the sender once each has handled it (a
 * mutation answers only then: the response cache of every worker has
 * dropped what it changed). Kept apart from the Redis bus so that a worker
 * without Redis never loads ioredis.
 */

import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { RefreshBus, RefreshSignal } from './refresh-bus.js';

const REFRESH_MESSAGES = 'nodepool-gateway:refresh-ipc';
/** How long a sender waits for the other workers: a worker that hangs must not hold mutations. */
const CONFIRM_TIMEOUT_MS = 1_000;

type RefreshMessage =
  | { channel: typeof REFRESH_MESSAGES; kind: 'signal'; id: number; signal: RefreshSignal }
  | { channel: typeof REFRESH_MESSAGES; kind: 'handled'; id: number };

function isRefreshMessage(message: unknown): message is RefreshMessage {
  return (message as RefreshMessage | null)?.channel === REFRESH_MESSAGES;
}

/**
 * The worker's end: a {@link RefreshBus} over the IPC channel to the primary.
 * `publish` resolves once every other worker has run its handlers on the
 * signal, or after a second.
 */
export function createClusterBus(): RefreshBus {
  const origin = randomUUID();
  const handlers: ((signal: RefreshSignal) => void)[] = [];
  const waiting = new Map<number, () => void>();
  let next = 0;
  const receive = (message: unknown) => {
    if (!isRefreshMessage(message)) return;
    if (message.kind === 'handled') {
      waiting.get(message.id)?.();
      return;
    }
    if (message.signal.origin !== origin) for (const handler of handlers) handler(message.signal);
    if (process.connected) process.send?.({ channel: REFRESH_MESSAGES, kind: 'handled', id: message.id });
  };
  process.on('message', receive);
  return {
    origin,
    get connected() {
      return process.connected;
    },
    publish(signal) {
      if (!process.connected) return Promise.resolve();
      const id = next++;
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve();
        };
        const timer = setTimeout(done, CONFIRM_TIMEOUT_MS);
        waiting.set(id, done);
        process.send?.({ channel: REFRESH_MESSAGES, kind: 'signal', id, signal: { ...signal, origin } });
      });
    },
    onSignal(handler) {
      handlers.push(handler);
    },
    async close() {
      process.off('message', receive);
      for (const done of [...waiting.values()]) done();
    },
  };
}

/**
 * The primary's end: forwards each worker's refresh signals to every other
 * worker, and tells the sender when all of them (those still alive) have
 * handled it.
 */
export function relayRefreshSignals(): void {
  let next = 0;
  /** Relayed signals still unconfirmed: the workers that owe an answer, the sender and its id. */
  const pending = new Map<number, { owing: Set<Worker>; from: Worker; id: number }>();
  const settle = (relayId: number) => {
    const relay = pending.get(relayId);
    if (!relay || relay.owing.size > 0) return;
    pending.delete(relayId);
    if (relay.from.isConnected()) {
      relay.from.send({ channel: REFRESH_MESSAGES, kind: 'handled', id: relay.id } satisfies RefreshMessage);
    }
  };
  cluster.on('message', (from, message: unknown) => {
    if (!isRefreshMessage(message)) return;
    if (message.kind === 'handled') {
      const relay = pending.get(message.id);
      relay?.owing.delete(from);
      settle(message.id);
      return;
    }
    const relayId = next++;
    const owing = new Set<Worker>();
    pending.set(relayId, { owing, from, id: message.id });
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (!worker || worker === from || !worker.isConnected()) continue;
      owing.add(worker);
      worker.send({ ...message, id: relayId } satisfies RefreshMessage);
    }
    settle(relayId);
    // The sender stops waiting after a second: a worker that never answers leaves nothing behind.
    setTimeout(() => pending.delete(relayId), 2 * CONFIRM_TIMEOUT_MS).unref();
  });
  // A worker that exits owes nothing more.
  cluster.on('exit', (worker) => {
    for (const [relayId, relay] of pending) {
      relay.owing.delete(worker);
      settle(relayId);
    }
  });
}

import { randomUUID } from 'node:crypto';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';

/** A mutation changed a pool: every replica with a watcher for `scope` should poll now. */
export interface RefreshSignal {
  /** The credential scope (a hash of the token; never the token). */
  scope: string;
  poolId?: string | undefined;
  change: 'created' | 'updated' | 'deleted';
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

const TOPIC = 'nodepool-gateway:refresh';

export interface RedisBusOptions {
  url: string;
  warn: (obj: object, msg: string) => void;
  info: (obj: object, msg: string) => void;
}

/**
 * Refresh signals through Redis pub/sub (graphql-yoga's Redis event target
 * over ioredis). While Redis is unreachable, publishing fails fast (no
 * offline queue: a late refresh is worth nothing) and the gateway keeps
 * refreshing locally; ioredis reconnects and re-subscribes by itself.
 */
export function createRedisBus(options: RedisBusOptions): RefreshBus {
  const origin = randomUUID();
  const publisher = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // The subscriber queues its SUBSCRIBE until connected and never gives up on it.
  const subscriber = new Redis(options.url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let connected = false;
  let warned = false;
  const update = () => {
    const now = publisher.status === 'ready' && subscriber.status === 'ready';
    if (now === connected) return;
    connected = now;
    if (now) {
      warned = false;
      options.info({}, 'Redis connected: refresh signals reach every replica');
    } else if (!warned) {
      warned = true;
      options.warn({}, 'Redis unreachable: refreshing on this replica only until it is back');
    }
  };
  for (const client of [publisher, subscriber]) {
    client.on('ready', update);
    client.on('close', update);
    client.on('end', update);
    client.on('error', (error: Error) => {
      update();
      if (!warned) {
        warned = true;
        options.warn(
          { err: error.message },
          'Redis unreachable: refreshing on this replica only until it is back',
        );
      }
    });
  }
  // The event target calls `publish` without handling its rejection; a failed publish must not crash the process.
  const safePublisher = {
    publish: (channel: string, message: string) =>
      publisher.publish(channel, message).catch((error: Error) => {
        options.warn({ err: error.message }, 'refresh signal not published to Redis');
        return 0;
      }),
  };
  const pubsub = createPubSub<{ [TOPIC]: [RefreshSignal] }>({
    eventTarget: createRedisEventTarget({
      publishClient: safePublisher as unknown as Redis,
      subscribeClient: subscriber,
    }),
  });
  const handlers: ((signal: RefreshSignal) => void)[] = [];
  const listening = pubsub.subscribe(TOPIC);
  void (async () => {
    for await (const signal of listening) {
      if (signal.origin === origin) continue;
      for (const handler of handlers) handler(signal);
    }
  })();

  return {
    origin,
    get connected() {
      return connected;
    },
    async publish(signal) {
      if (!connected) return;
      pubsub.publish(TOPIC, { ...signal, origin });
    },
    onSignal(handler) {
      handlers.push(handler);
    },
    async close() {
      await listening.return?.();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * The process's connections to Redis: one for commands and one subscribed
 * to the channels of every feature (refresh signals, live events, refused
 * tokens), with one retry policy. The rate limit, the response cache, the
 * refresh bus, the live store and the shared verdicts all use these two;
 * `connected` is the `redis_connected` gauge.
 */
import { Redis } from 'ioredis';

/** Reconnects at once, then backing off to every 2 s. */
const retryStrategy = (times: number) => Math.min(times * 200, 2_000);

/** How long a starting process waits for its first connection before going on without Redis. */
const FIRST_CONNECTION_MS = 2_000;

export interface RedisConnectionOptions {
  url: string;
  /** Told once when Redis becomes unreachable and once when it is back (not on a deliberate close). */
  warn: (obj: object, msg: string) => void;
  info: (obj: object, msg: string) => void;
}

export interface RedisConnection {
  /**
   * The command connection. Commands fail at once while Redis is unreachable (no offline queue): every
   * feature then does without Redis (counts locally, polls alone, keeps no answer) until it is back.
   */
  readonly commands: Redis;
  /** Handles the messages of one channel (the subscription survives reconnections). */
  subscribe(channel: string, handler: (message: string) => void): void;
  /** Publishes on a channel; rejects while Redis is unreachable. */
  publish(channel: string, message: string): Promise<void>;
  /** Whether both connections are up. */
  readonly connected: boolean;
  /** Resolves once both are up for the first time, or after two seconds, whichever comes first. */
  readonly ready: Promise<void>;
  /** Lets the commands already sent finish (QUIT), then closes both connections. */
  close(): Promise<void>;
}

export function connectRedis(options: RedisConnectionOptions): RedisConnection {
  const commands = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy,
    connectionName: 'nodepool-gateway:commands',
  });
  // The subscriber queues its SUBSCRIBEs until connected, and subscribes again after each reconnection.
  const subscriber = new Redis(options.url, {
    maxRetriesPerRequest: null,
    retryStrategy,
    connectionName: 'nodepool-gateway:subscriber',
  });
  const handlers = new Map<string, ((message: string) => void)[]>();
  let closing = false;
  let up = false;
  let warned = false;
  const update = (error?: Error) => {
    const now = commands.status === 'ready' && subscriber.status === 'ready';
    if (now && !up) {
      up = true;
      if (warned) options.info({}, 'Redis connected again');
      warned = false;
    } else if (!now) {
      up = false;
      if (!warned && !closing) {
        warned = true;
        options.warn(
          error ? { err: error.message } : {},
          'Redis unreachable: each process goes on alone until it is back',
        );
      }
    }
  };
  for (const connection of [commands, subscriber]) {
    connection.on('ready', () => update());
    connection.on('close', () => update());
    connection.on('error', (error: Error) => update(error));
  }
  subscriber.on('message', (channel: string, message: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(message);
  });
  const ready = new Promise<void>((resolve) => {
    const check = () => {
      if (commands.status === 'ready' && subscriber.status === 'ready') resolve();
    };
    commands.on('ready', check);
    subscriber.on('ready', check);
    setTimeout(resolve, FIRST_CONNECTION_MS).unref();
  });
  return {
    commands,
    subscribe(channel, handler) {
      const list = handlers.get(channel);
      if (list) {
        list.push(handler);
        return;
      }
      handlers.set(channel, [handler]);
      subscriber.subscribe(channel).catch(() => {});
    },
    async publish(channel, message) {
      await commands.publish(channel, message);
    },
    get connected() {
      return up;
    },
    ready,
    async close() {
      closing = true;
      await commands.quit().catch(() => commands.disconnect());
      subscriber.disconnect();
    },
  };
}

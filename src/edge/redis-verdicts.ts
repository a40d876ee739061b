import { Redis } from 'ioredis';
import type { VerdictSharing } from './verdict-sharing.js';

const PREFIX = 'nodepool-gateway:verdict:';
const CHANNEL = 'nodepool-gateway:verdicts';

/**
 * Credential verdicts shared through Redis by every replica: an acceptance
 * is a key per scope holding its time, expiring with its window; a refusal
 * deletes it and is published to every process. While Redis is unreachable
 * commands fail at once (no offline queue): lookups answer "not believed",
 * so a cache hit needs this process's own acceptance, and refusals stay in
 * this process until Redis is back.
 */
export function createRedisVerdicts(url: string): VerdictSharing {
  const retryStrategy = (times: number) => Math.min(times * 200, 2_000);
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy });
  const subscriber = new Redis(url, { maxRetriesPerRequest: null, retryStrategy });
  // Connection errors are reported by the bus and the live store; here they only mean "not shared now".
  for (const connection of [client, subscriber]) connection.on('error', () => {});
  const handlers: ((scope: string) => void)[] = [];
  void subscriber.subscribe(CHANNEL).catch(() => {});
  subscriber.on('message', (_channel: string, scope: string) => {
    for (const handler of handlers) handler(scope);
  });
  return {
    accepted: (scope, at, windowMs) => {
      client.set(`${PREFIX}${scope}`, String(at), 'PX', windowMs).catch(() => {});
    },
    acceptedAt: async (scope) => {
      const at = await client.get(`${PREFIX}${scope}`);
      return at === null ? undefined : Number(at);
    },
    refused: (scope) => {
      client
        .multi()
        .del(`${PREFIX}${scope}`)
        .publish(CHANNEL, scope)
        .exec()
        .catch(() => {});
    },
    onRefused: (handler) => {
      handlers.push(handler);
    },
    close: async () => {
      await client.quit().catch(() => client.disconnect());
      subscriber.disconnect();
    },
  };
}

import type { RedisConnection } from '../redis/connection.js';
import { writeBudget } from '../redis/write-budget.js';
import type { VerdictSharing } from './verdict-sharing.js';

const PREFIX = 'nodepool-gateway:verdict:';
const CHANNEL = 'nodepool-gateway:verdicts';
/** What the deployment's acceptances hold in Redis at most; past it, they are not shared (others ask Run:ai). */
const MAX_BYTES = 8 * 1024 * 1024;

/**
 * Credential verdicts shared through Redis by every replica: an acceptance
 * is a key per scope holding its time, expiring with its window; a refusal
 * deletes it and is published to every process. While Redis is unreachable
 * commands fail at once (no offline queue): lookups answer "not believed",
 * so a cache hit needs this process's own acceptance, and refusals stay in
 * this process until Redis is back. Acceptances are written within a byte
 * budget (redis/write-budget.ts): however many tokens Run:ai accepts, they
 * hold at most 8 MiB of Redis.
 */
export function createRedisVerdicts(
  redis: RedisConnection,
  { maxBytes = MAX_BYTES }: { maxBytes?: number } = {},
): VerdictSharing {
  const client = redis.commands;
  const handlers: ((scope: string) => void)[] = [];
  redis.subscribe(CHANNEL, (scope) => {
    for (const handler of handlers) handler(scope);
  });
  // Each acceptance lives one window; what the keys hold is their key, value and Redis's own overhead.
  let budget: ReturnType<typeof writeBudget> | undefined;
  return {
    accepted: (scope, at, windowMs) => {
      budget ??= writeBudget(client, 'nodepool-gateway:written:verdict', { windowMs, maxBytes });
      const key = `${PREFIX}${scope}`;
      void budget
        .spend(key.length + 64)
        .then((granted) => (granted ? client.set(key, String(at), 'PX', windowMs) : undefined))
        .catch(() => {});
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
    close: async () => {},
  };
}

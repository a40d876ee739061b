import { createRedisCache } from '@envelop/response-cache-redis';
import type { ExecutionResult } from 'graphql';
import { Redis } from 'ioredis';
import { writeBudget } from '../redis/write-budget.js';
import type { ResponseStore } from './response-store.js';

/** Every key of the response cache in Redis starts so: it shares the instance with the live store. */
const PREFIX = 'nodepool-gateway:cache:';
/** Answers one tag may name; past it the tag's answers are dropped, so that no set grows without end. */
const MAX_TAG_MEMBERS = 10_000;

export interface RedisStoreOptions {
  url: string;
  /** A larger answer is not kept. */
  maxEntryBytes: number;
  /** What the deployment's answers hold in Redis together at most (RESPONSE_CACHE_MAX_BYTES). */
  maxBytes: number;
  /** The longest an answer is kept (the larger of the two TTLs). */
  windowMs: number;
  warn: (obj: object, msg: string) => void;
}

/**
 * The response cache in Redis, shared by every replica: the store of
 * `@envelop/response-cache-redis`, with the gateway's key prefix. Tags are
 * passed as type names that hold a `:` (the store then never scans keys),
 * and the sets it keeps per tag and per answer get the expiry of their
 * newest answer (the store leaves them without), so that Redis holds
 * nothing past the longest TTL.
 *
 * Every process's writes share one byte budget in Redis (redis/write-budget.ts):
 * past `maxBytes`, answers are served but not kept, whatever the number of
 * callers.
 *
 * While Redis is unreachable, reads miss and writes are skipped (commands
 * fail at once, no offline queue): the cache never fails an operation.
 * Invalidations made meanwhile are lost; entries expire by their TTL.
 */
export function createRedisStore(options: RedisStoreOptions): ResponseStore {
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let warned = false;
  const failed = (error: unknown) => {
    if (warned) return;
    warned = true;
    options.warn({ err: (error as Error).message }, 'response cache: Redis unreachable; answers not cached');
  };
  redis.on('ready', () => {
    warned = false;
  });
  redis.on('error', failed);
  const budget = writeBudget(redis, 'nodepool-gateway:written:cache', {
    windowMs: options.windowMs,
    maxBytes: options.maxBytes,
  });
  const tagSetOf = (tag: string) => `${PREFIX}tag:${tag}`;
  const answersOf = (id: string) => `${PREFIX}tags-of:${id}`;
  const store = createRedisCache({
    redis,
    buildRedisEntityId: (typename, id) => `${typename}:${id}`,
    buildRedisOperationResultCacheKey: answersOf,
  });

  async function drop(tags: readonly string[]): Promise<number> {
    if (tags.length === 0) return 0;
    try {
      const counts = await Promise.all(tags.map((tag) => redis.scard(tagSetOf(tag))));
      await store.invalidate(tags.map((tag) => ({ typename: tagSetOf(tag) })));
      return counts.reduce((sum, n) => sum + n, 0);
    } catch (error) {
      failed(error);
      return 0;
    }
  }

  return {
    async set(id, result, records, ttl) {
      const json = JSON.stringify(result);
      const bytes = Buffer.byteLength(json);
      if (bytes > options.maxEntryBytes) return;
      const tagSets = [...new Set([...records].map((record) => tagSetOf(record.typename)))];
      // The answer, its key, and its id in each tag's set and the set of its tags.
      const held =
        bytes + 2 * (PREFIX.length + id.length) + tagSets.reduce((sum, tag) => sum + tag.length + 64, 0);
      if (!(await budget.spend(held))) return;
      try {
        await store.set(
          `${PREFIX}${id}`,
          result,
          tagSets.map((typename) => ({ typename })),
          ttl,
        );
        const expiring = redis.pipeline();
        for (const key of [...tagSets, answersOf(`${PREFIX}${id}`)]) {
          expiring.pexpire(key, ttl, 'NX').pexpire(key, ttl, 'GT');
        }
        for (const key of tagSets) expiring.scard(key);
        const replies = (await expiring.exec()) ?? [];
        const sizes = replies.slice(-tagSets.length).map(([, n]) => Number(n));
        const crowded = tagSets.filter((_, i) => (sizes[i] ?? 0) > MAX_TAG_MEMBERS);
        if (crowded.length > 0) await store.invalidate(crowded.map((typename) => ({ typename })));
      } catch (error) {
        failed(error);
      }
    },
    async get(id) {
      try {
        return ((await store.get(`${PREFIX}${id}`)) as ExecutionResult | undefined) ?? null;
      } catch (error) {
        failed(error);
        return null;
      }
    },
    async invalidate(records) {
      await drop([...records].map((record) => record.typename));
    },
    drop,
    usage: undefined,
    async close() {
      redis.disconnect();
    },
  };
}

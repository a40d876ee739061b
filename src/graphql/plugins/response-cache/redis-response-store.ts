import type { ExecutionResult } from 'graphql';
import type { RedisConnection } from '../../../redis/connection.js';
import { writeBudget } from '../../../redis/write-budget.js';
import type { ResponseStore } from './response-store.js';

/** Every key of the response cache in Redis starts so: it shares the instance with the live store. */
const PREFIX = 'nodepool-gateway:cache:';
/** Answers one tag may name; past it the tag's answers are dropped, so that no set grows without end. */
const MAX_TAG_MEMBERS = 10_000;

/**
 * KEYS: the answer, the set of its tags, then each tag's set. ARGV: the answer's JSON, its TTL (ms),
 * its id, the most members a tag's set may hold. Keeps the answer, adds it to every tag's set (each set
 * lives as long as its newest answer), and returns the tags whose sets hold too many.
 */
const SET = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[2])
local crowded = {}
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  redis.call('SADD', KEYS[2], KEYS[i])
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
  if redis.call('SCARD', KEYS[i]) > tonumber(ARGV[4]) then crowded[#crowded + 1] = KEYS[i] end
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return crowded`;

/**
 * KEYS: the tags' sets. ARGV: the key prefix of answers, then of their tag sets. Drops every answer a
 * set names, and the sets; returns how many answers there were.
 */
const DROP = `
local dropped = 0
for i = 1, #KEYS do
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    dropped = dropped + redis.call('DEL', ARGV[1] .. id)
    redis.call('DEL', ARGV[2] .. id)
  end
  redis.call('DEL', KEYS[i])
end
return dropped`;

interface Scripts {
  cacheSet(...args: (string | number)[]): Promise<string[]>;
  cacheDrop(...args: (string | number)[]): Promise<number>;
}

export interface RedisStoreOptions {
  redis: RedisConnection;
  /** A larger answer is not kept. */
  maxEntryBytes: number;
  /** What the deployment's answers hold in Redis together at most (responseCacheMaxBytes). */
  maxBytes: number;
  /** The longest an answer is kept (the larger of the two TTLs). */
  windowMs: number;
}

/**
 * The response cache in Redis, shared by every replica, in keys of its own:
 * each answer under its id, with an expiry; a set per tag naming the answers
 * that hold it, which lives as long as its newest answer; and per answer
 * the set of its tags. A tag that names more than 10,000 answers is dropped
 * whole. Every process's writes share one byte budget (redis/write-budget.ts):
 * past `maxBytes`, answers are served but not kept, whatever the number of
 * callers.
 *
 * While Redis is unreachable, reads miss and writes are skipped (commands
 * fail at once): the cache never fails an operation. Invalidations made
 * meanwhile are lost; entries expire by their TTL.
 */
export function createRedisStore(options: RedisStoreOptions): ResponseStore {
  const redis = options.redis.commands;
  if (!('cacheSet' in redis)) {
    redis.defineCommand('cacheSet', { lua: SET });
    redis.defineCommand('cacheDrop', { lua: DROP });
  }
  const scripts = redis as unknown as Scripts;
  const budget = writeBudget(redis, 'nodepool-gateway:written:cache', {
    windowMs: options.windowMs,
    maxBytes: options.maxBytes,
  });
  const answerKey = (id: string) => `${PREFIX}answer:${id}`;
  const tagsOfKey = (id: string) => `${PREFIX}tags-of:${id}`;
  const tagKey = (tag: string) => `${PREFIX}tag:${tag}`;

  async function dropKeys(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const dropped = await scripts.cacheDrop(keys.length, ...keys, answerKey(''), tagsOfKey(''));
    return Number(dropped);
  }

  return {
    async set(id, result, tags, ttl) {
      const json = JSON.stringify(result);
      const bytes = Buffer.byteLength(json);
      if (bytes > options.maxEntryBytes) return;
      const tagKeys = [...new Set(tags)].map(tagKey);
      // The answer, its key, and its id in each tag's set and the set of its tags.
      const held =
        bytes + 2 * (PREFIX.length + id.length) + tagKeys.reduce((sum, key) => sum + key.length + 64, 0);
      if (!(await budget.spend(held))) return;
      try {
        const args = [json, Math.ceil(ttl), id, MAX_TAG_MEMBERS];
        const crowded = await scripts.cacheSet(
          2 + tagKeys.length,
          answerKey(id),
          tagsOfKey(id),
          ...tagKeys,
          ...args,
        );
        await dropKeys(crowded);
      } catch {
        // Redis unreachable: the answer is served, not kept.
      }
    },
    async get(id) {
      try {
        const json = await redis.get(answerKey(id));
        return json === null ? null : (JSON.parse(json) as ExecutionResult);
      } catch {
        return null;
      }
    },
    async drop(tags) {
      try {
        return await dropKeys(tags.map(tagKey));
      } catch {
        return 0;
      }
    },
    usage: undefined,
    async close() {},
  };
}

import {
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { RedisConnection } from '../redis/connection.js';

/** What the limiter says of one more operation. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Counts operations per caller over a rolling minute. */
export interface RateLimiter {
  consume(key: string): Promise<RateVerdict>;
  /** Counts `points` operations already spent elsewhere (another key's budget) against `key`. */
  penalty(key: string, points: number): Promise<void>;
}

/**
 * `perMinute` operations per caller per minute, with rate-limiter-flexible.
 * With `redis` the count is kept in Redis, shared by every replica; while
 * Redis is unreachable each replica counts on its own instead of refusing
 * or letting everything through. Without Redis, a cluster worker
 * (`clusterWorker`) counts in the primary ({@link serveClusterRateLimits}),
 * so N workers do not grant N times the budget; should the primary not
 * answer in time, the worker counts on its own.
 */
export async function createRateLimiter(
  perMinute: number,
  { redis, clusterWorker = false }: { redis?: RedisConnection | undefined; clusterWorker?: boolean } = {},
): Promise<RateLimiter> {
  const options = { points: perMinute, duration: 60 };
  let limiter: RateLimiterMemory | RateLimiterRedis | RateLimiterCluster = new RateLimiterMemory(options);
  const local = limiter;
  if (clusterWorker && !redis) {
    limiter = new RateLimiterCluster({ ...options, keyPrefix: 'nodepool-gateway:rate', timeoutMs: 1_000 });
  }
  if (redis) {
    // Counting starts in Redis when it answers within a moment; otherwise locally, until it does.
    await redis.ready;
    limiter = new RateLimiterRedis({
      ...options,
      storeClient: redis.commands,
      keyPrefix: 'nodepool-gateway:rate',
      rejectIfRedisNotReady: true,
      insuranceLimiter: local,
    });
  }
  return {
    async consume(key) {
      try {
        await limiter.consume(key).catch((error: unknown) => {
          // The cluster limiter rejects with an Error when the primary does not answer in time.
          if (limiter instanceof RateLimiterCluster && !(error instanceof RateLimiterRes)) {
            return local.consume(key);
          }
          throw error;
        });
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes)
          return { allowed: false, retryAfterMs: rejection.msBeforeNext };
        throw rejection;
      }
    },
    async penalty(key, points) {
      await limiter.penalty(key, points).catch(() => local.penalty(key, points).catch(() => {}));
    },
  };
}

/**
 * The primary's end of the cluster rate limit: keeps the counts of every
 * worker's {@link createRateLimiter} in one place. Call before forking.
 */
export function serveClusterRateLimits(): void {
  new RateLimiterClusterMaster();
}

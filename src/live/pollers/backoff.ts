import { isUpstreamError } from '../../upstream/errors.js';

/** How a poller spaces its polls. */
export interface PollSchedule {
  intervalMs: number;
  /** Upper bound of the back-off after failed polls. */
  maxBackoffMs: number;
}

/**
 * The wait before the next poll after `failures` failed polls in a row
 * (0: the regular interval). After a failure the wait doubles with every
 * failure, up to `maxBackoffMs`, with full jitter so that the pollers of
 * many credentials that failed together do not come back together; a 429's
 * `Retry-After` is a floor. `random` is injectable for tests.
 */
export function nextPollDelay(
  { intervalMs, maxBackoffMs }: PollSchedule,
  failures: number,
  lastError?: unknown,
  random: () => number = Math.random,
): number {
  if (failures === 0) return intervalMs;
  const ceiling = Math.min(intervalMs * 2 ** failures, maxBackoffMs);
  // Never sooner than the interval: a back-off that polls more often than normal helps no one.
  const jittered = intervalMs + random() * Math.max(0, ceiling - intervalMs);
  const retryAfter = isUpstreamError(lastError) ? (lastError.retryAfterMs ?? 0) : 0;
  return Math.max(jittered, Math.min(retryAfter, maxBackoffMs));
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpMethod, Send, UpstreamLogger } from './call.js';
import { isUpstreamError } from './errors.js';

/** Methods that are safe to repeat. POST and PATCH never are: a lost answer may hide a success. */
const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First back-off delay when Run:ai sends no Retry-After. */
  baseDelayMs: number;
  /** Upper bound of one back-off delay. */
  maxDelayMs: number;
  logger?: UpstreamLogger | undefined;
}

/** Exponential back-off with "equal jitter": half fixed, half random, so the retries of many callers spread out. */
export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/**
 * Sends idempotent calls again when Run:ai throttles them or is briefly
 * unavailable (429, 502, 503, 504, connection resets), honouring Retry-After,
 * while the call's deadline allows; a wait that would pass it gives up with
 * Run:ai's own answer. The back-off stops at once when the call is aborted.
 *
 * undici's `interceptors.retry` does not fit: it would sleep past the
 * deadline on a long Retry-After, it hides each attempt from the metrics,
 * and on giving up it throws its own error instead of Run:ai's answer.
 */
export function withRetries(send: Send, { maxRetries, baseDelayMs, maxDelayMs, logger }: RetryOptions): Send {
  return async (call) => {
    const { req } = call;
    const allowed = IDEMPOTENT.has(req.method) ? maxRetries : 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(call);
      } catch (error) {
        if (!isUpstreamError(error) || !error.retryable || attempt > allowed) throw error;
        const waitMs = error.retryAfterMs ?? backoffMs(attempt, baseDelayMs, maxDelayMs);
        if (call.deadlineAt !== undefined && Date.now() + waitMs >= call.deadlineAt) {
          logger?.debug(
            { operation: req.operation, attempt, waitMs },
            'not retrying Run:ai call: wait exceeds deadline',
          );
          throw error;
        }
        // Each retry is a call the caller pays for; one past its budget is not sent.
        if (req.mayRetry && !req.mayRetry()) throw error;
        logger?.warn(
          {
            operation: req.operation,
            method: req.method,
            attempt,
            waitMs,
            status: error.status,
            code: error.code,
          },
          'retrying Run:ai call',
        );
        await sleep(waitMs, undefined, { signal: call.signal });
      }
    }
  };
}

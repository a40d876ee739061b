import type { Send } from './call.js';
import { UpstreamError } from './errors.js';

/**
 * Bounds a call, retries and back-off included, by the client's total
 * timeout or the caller's own deadline, whichever comes first, with a
 * standard `AbortSignal.timeout` joined to the caller's signal. A passed
 * deadline (the call's, or the GraphQL request's own `AbortSignal.timeout`)
 * is UPSTREAM_TIMEOUT; a caller that went away gets its own reason back.
 */
export function withDeadline(send: Send, { totalTimeoutMs }: { totalTimeoutMs: number }): Send {
  return async (call) => {
    const deadlineAt = Math.min(Date.now() + totalTimeoutMs, call.req.deadline ?? Number.POSITIVE_INFINITY);
    const timeout = AbortSignal.timeout(Math.max(0, deadlineAt - Date.now()));
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    try {
      return await send({ ...call, signal, deadlineAt });
    } catch (error) {
      if (!signal.aborted) throw error;
      const reason: unknown = signal.reason;
      if (timeout.aborted || (reason instanceof Error && reason.name === 'TimeoutError')) {
        throw new UpstreamError({ code: 'UPSTREAM_TIMEOUT', operation: call.req.operation, cause: reason });
      }
      throw reason;
    }
  };
}

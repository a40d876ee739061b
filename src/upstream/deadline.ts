import type { Send } from './call.js';
import { UpstreamError } from './errors.js';

/** Why a call was aborted when its deadline passed. */
class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/**
 * Bounds a call, retries and back-off included, by the client's total
 * timeout or the caller's own deadline, whichever comes first. The call gets
 * one AbortController that aborts when the deadline passes or the caller's
 * signal does. A passed deadline (the call's, or the GraphQL request's own
 * `AbortSignal.timeout`) is UPSTREAM_TIMEOUT; a caller that went away gets
 * its own reason back.
 */
export function withDeadline(send: Send, { totalTimeoutMs }: { totalTimeoutMs: number }): Send {
  return async (call) => {
    const deadlineAt = Math.min(Date.now() + totalTimeoutMs, call.req.deadline ?? Number.POSITIVE_INFINITY);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DeadlineExceeded()),
      Math.max(0, deadlineAt - Date.now()),
    );
    const caller = call.signal;
    const onCallerAbort = () => controller.abort(caller?.reason);
    if (caller?.aborted) onCallerAbort();
    else caller?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      return await send({ ...call, signal: controller.signal, deadlineAt });
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      const reason: unknown = controller.signal.reason;
      if (reason instanceof DeadlineExceeded || (reason instanceof Error && reason.name === 'TimeoutError')) {
        throw new UpstreamError({ code: 'UPSTREAM_TIMEOUT', operation: call.req.operation, cause: reason });
      }
      throw reason;
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    }
  };
}

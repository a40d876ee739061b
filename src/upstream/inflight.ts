import type { CallStats, Send, UpstreamResponse } from './call.js';

interface Shared {
  promise: Promise<UpstreamResponse>;
  controller: AbortController;
  waiters: number;
  /** The first caller's stats, which the layers below fill in. */
  stats: CallStats | undefined;
}

/**
 * Shares identical GETs in flight at the same time: the first caller starts
 * the call, later callers with the same credentials, Accept and URL wait for
 * it. An entry lives only while its call runs, so nothing is cached; the key
 * holds the credential's scope, so no caller ever receives data fetched with
 * another caller's token.
 *
 * Each caller may leave through its own signal; the shared call is aborted
 * only once every caller has left. undici's `interceptors.deduplicate` shares
 * below the retries, deadlines and metrics, which would still run once per
 * caller, and its first caller's abort ends the request for the others.
 */
export function withSharedGets(send: Send): Send {
  const calls = new Map<string, Shared>();
  return (call) => {
    if (call.req.method !== 'GET') return send(call);
    const callerSignal = call.signal;
    if (callerSignal?.aborted) return Promise.reject(callerSignal.reason);
    const key = `${call.scope}\n${call.req.accept ?? ''}\n${call.path}`;
    let shared = calls.get(key);
    if (!shared) {
      const controller = new AbortController();
      const started: Shared = {
        promise: send({ ...call, signal: controller.signal }),
        controller,
        waiters: 0,
        stats: call.stats,
      };
      const forget = () => {
        if (calls.get(key) === started) calls.delete(key);
      };
      started.promise.then(forget, forget);
      calls.set(key, started);
      shared = started;
    } else if (call.stats) {
      join(shared, call.stats);
    }
    const entry = shared;
    entry.waiters++;
    if (!callerSignal) return entry.promise;
    return leaveOnAbort(entry.promise, callerSignal, () => {
      if (--entry.waiters > 0) return;
      // Abandoned: nobody may join it while it winds down.
      if (calls.get(key) === entry) calls.delete(key);
      entry.controller.abort(callerSignal.reason);
    });
  };
}

/**
 * Tells a joining caller's stats (and the first caller's) that the call is
 * shared; the attempts are the shared call's, copied when it settles. The
 * copy is registered now, before the caller awaits the answer, so it runs
 * before the caller reads its stats.
 */
function join(entry: Shared, stats: CallStats): void {
  const first = entry.stats;
  stats.shared = true;
  if (!first) return;
  first.shared = true;
  const copy = () => {
    stats.attempts = first.attempts;
  };
  entry.promise.then(copy, copy);
}

/**
 * Waits for `shared`, but rejects with the signal's reason as soon as this
 * caller aborts (calling `onLeave` first); the shared work itself goes on.
 */
export function leaveOnAbort<T>(shared: Promise<T>, signal: AbortSignal, onLeave?: () => void): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const leave = () => {
      onLeave?.();
      reject(signal.reason);
    };
    signal.addEventListener('abort', leave, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', leave);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', leave);
        reject(error);
      },
    );
  });
}

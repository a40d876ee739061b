import { type AbortSource, CallAbort } from './call-abort.js';

/**
 * Shares identical calls that are in flight at the same time: the first
 * caller starts the call, later callers with the same key wait for it. An
 * entry lives only while its call runs, so nothing is cached; callers pass a
 * key that includes their credentials, so no caller ever receives data
 * fetched with another caller's token.
 */
export class InflightCalls<T> {
  private readonly calls = new Map<string, { promise: Promise<T>; abort: CallAbort; waiters: number }>();

  /**
   * Runs `start` unless a call with `key` is already in flight, and resolves
   * with its result. Each caller may leave early through its own `signal`;
   * the shared call is aborted only when every caller has left. `start`
   * receives the shared call's own abort handle.
   */
  run(key: string, signal: AbortSource | undefined, start: (abort: CallAbort) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw signal.reason;
    let entry = this.calls.get(key);
    if (!entry) {
      const abort = new CallAbort();
      const created = { promise: start(abort), abort, waiters: 0 };
      const forget = () => {
        if (this.calls.get(key) === created) this.calls.delete(key);
      };
      created.promise.then(forget, forget);
      this.calls.set(key, created);
      entry = created;
    }
    const shared = entry;
    shared.waiters++;
    if (!signal) return shared.promise;
    return leaveOnAbort(shared.promise, signal, () => {
      shared.waiters--;
      if (shared.waiters === 0) shared.abort.abort(signal.reason);
    });
  }
}

/**
 * Waits for `shared`, but rejects with the signal's reason as soon as this
 * caller aborts (calling `onLeave` first); the shared work itself goes on.
 */
export function leaveOnAbort<T>(shared: Promise<T>, signal: AbortSource, onLeave?: () => void): Promise<T> {
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

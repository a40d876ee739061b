import { EventEmitter } from 'node:events';

/**
 * Aborts one Run:ai call: its HTTP attempt in flight, or its back-off wait.
 *
 * undici takes an EventEmitter that emits `abort` as a request's signal and
 * reads the reason from it. Every upstream call needs one of these, and on
 * Node 20 an AbortController's signal costs about 6 µs to create, and more
 * per listener. A dashboard makes 52 calls, so the gateway uses this instead.
 * The caller's own signal stays a standard AbortSignal.
 */
export class CallAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  /** Aborts the call with `reason`; later calls do nothing, like `AbortController.abort`. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  /** Resolves after `ms`, or rejects with the reason as soon as the call is aborted. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.aborted) {
        reject(this.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(this.reason);
      };
      const timer = setTimeout(() => {
        this.off('abort', onAbort);
        resolve();
      }, ms);
      this.once('abort', onAbort);
    });
  }
}

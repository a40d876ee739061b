import { EventEmitter } from 'node:events';

/**
 * What a caller passes to stop waiting for Run:ai: a standard AbortSignal, or
 * a {@link CallAbort}. Only the part of AbortSignal the transport uses.
 */
export interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Aborts Run:ai calls: one call's HTTP attempt in flight or its back-off
 * wait, or every call of one GraphQL request.
 *
 * undici takes an EventEmitter that emits `abort` as a request's signal and
 * reads the reason from it. Every upstream call needs one of these, and on
 * Node 20 an AbortController's signal costs about 6 µs to create, and more
 * per listener. A dashboard makes 52 calls, so the gateway uses this instead.
 */
export class CallAbort extends EventEmitter implements AbortSource {
  aborted = false;
  reason: unknown = undefined;

  /**
   * A handle that aborts when `signal` does. The calls of a request listen
   * on it instead of on the request's signal: that signal is a Proxy that
   * costs a trap and a string search on every property read, and it would
   * need its listener limit raised for a 50-pool dashboard.
   */
  static following(signal: AbortSource): CallAbort {
    const abort = new CallAbort();
    // Every call of the request listens while in flight: 52 for a dashboard is expected, not a leak.
    abort.setMaxListeners(0);
    if (signal.aborted) abort.abort(signal.reason);
    else signal.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
    return abort;
  }

  /** Aborts with `reason`; later calls do nothing, like `AbortController.abort`. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  addEventListener(_type: 'abort', listener: () => void, options?: { once?: boolean }): void {
    if (options?.once) this.once('abort', listener);
    else this.on('abort', listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.off('abort', listener);
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

import { vi } from 'vitest';

export interface EventuallyOptions {
  /** Gives up after this many ms. Default 10 s: generous, since a wait that succeeds ends in a few ms. */
  timeout?: number;
  /** Checks again after this many ms. Default 20. */
  interval?: number;
}

/**
 * Waits until `check` passes and resolves with what it returned. `check` passes when it neither throws
 * (a failed `expect`, or an error of its own) nor returns `false`, so both
 * `eventually(() => expect(live.subscriptions).toBe(2))` and `eventually(() => requests.length > 0)` read
 * naturally. After `timeout` it rejects with the last failure, which says what was still missing.
 *
 * The one way the tests wait for something they cannot await directly. It is `vi.waitFor`, so under fake
 * timers it advances them while it waits.
 */
export function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (value === false) throw new Error(`still false: ${String(check)}`);
      return value;
    },
    { timeout: options.timeout ?? 10_000, interval: options.interval ?? 20 },
  );
}

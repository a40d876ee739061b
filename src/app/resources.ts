import type { Logger } from '../telemetry/logger.js';

/** Something the gateway opened, and how to close it. */
interface Resource {
  name: string;
  close: () => Promise<unknown> | unknown;
}

/**
 * What a running gateway holds, in the order it opened it: closed in the
 * reverse order, each awaited, so that nothing is closed while something
 * that uses it still runs. A failure to close one is logged; the others
 * still close.
 */
export class Resources {
  private readonly held: Resource[] = [];

  constructor(private readonly log: Logger) {}

  /** Holds `value` until {@link closeAll}; returns it, so that a part is opened and held in one line. */
  hold<T>(name: string, value: T, close: (value: T) => Promise<unknown> | unknown): T {
    this.held.push({ name, close: () => close(value) });
    return value;
  }

  /** Closes everything held, the last opened first. */
  async closeAll(): Promise<void> {
    for (const { name, close } of this.held.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        this.log.warn({ err: error, part: name }, 'a part of the gateway failed to close');
      }
    }
  }
}

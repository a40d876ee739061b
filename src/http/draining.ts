import type { ServerResponse } from 'node:http';

/**
 * The responses being written, so that a graceful stop can wait for them,
 * and whether the gateway is draining (new responses then close their
 * connection).
 */
export class Draining {
  private readonly inflight = new Set<ServerResponse>();
  private readonly idle: (() => void)[] = [];
  private stopping = false;

  get draining(): boolean {
    return this.stopping;
  }

  /** How many responses are still being written. */
  get size(): number {
    return this.inflight.size;
  }

  /** Counts a response as in flight until it closes; while draining, it closes its connection. */
  track(res: ServerResponse): void {
    if (this.stopping) res.setHeader('connection', 'close');
    this.inflight.add(res);
    res.once('close', () => {
      this.inflight.delete(res);
      if (this.inflight.size === 0) for (const notify of this.idle.splice(0)) notify();
    });
  }

  /** Starts draining; resolves once every response in flight has closed, or after `deadlineMs`. */
  async drain(deadlineMs: number): Promise<void> {
    this.stopping = true;
    if (this.inflight.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deadlineMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

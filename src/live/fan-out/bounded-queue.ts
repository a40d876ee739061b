import type { ByteBudget } from './byte-budget.js';

/** An event with the number of events dropped just before it (0 when none). */
export type Delivered<T> = T & { missedEvents: number };

export interface QueueOptions {
  /** Events kept for a subscriber that is not reading. */
  capacity: number;
  /** Bytes kept for it; the newest event stays whatever its size, when the budget has room for it. */
  maxBytes?: number | undefined;
  /** Where the bytes of queued and in-flight events are counted: the caller's budget, inside the process's. */
  budget?: ByteBudget | undefined;
  /** Told of each dropped event (for metrics). */
  onDrop?: (() => void) | undefined;
  /** Called once when the subscriber leaves or the queue is closed. */
  onClose?: (() => void) | undefined;
}

interface Queued<T> {
  event: T;
  bytes: number;
}

/**
 * One subscriber's queue of events, bounded in events and in bytes: while
 * the subscriber reads slower than events arrive, the oldest are dropped
 * once `capacity` events or `maxBytes` wait, or when the caller's byte
 * budget is spent, and the next event it reads says how many it missed.
 * An event handed to the reader stays counted until it asks for the next
 * one (graphql-ws and SSE ask only once the last one is written out), so a
 * reader that stopped reading holds at most its queue and one event.
 */
export class BoundedQueue<T extends object> implements AsyncIterableIterator<Delivered<T>> {
  private readonly items: Queued<T>[] = [];
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private dropped = 0;
  private waiting: ((result: IteratorResult<Delivered<T>>) => void) | undefined;
  private closed = false;

  constructor(private readonly options: QueueOptions) {}

  /** Events waiting to be read. */
  get size(): number {
    return this.items.length;
  }

  /** Bytes this queue holds: its events waiting and the one being written out. */
  get bytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  /** Queues an event of (about) `bytes` bytes, dropping the oldest ones past the bounds. */
  push(event: T, bytes = 0): void {
    if (this.closed) return;
    if (this.waiting) {
      if (!this.reserve(bytes)) {
        this.drop();
        return;
      }
      const resolve = this.waiting;
      this.waiting = undefined;
      this.inFlightBytes = bytes;
      resolve({ value: this.mark(event), done: false });
      return;
    }
    while (!this.reserve(bytes)) {
      // The budget is spent: this queue's oldest events go first, then, if that is not enough, this one.
      if (!this.evictOldest()) {
        this.drop();
        return;
      }
    }
    this.items.push({ event, bytes });
    this.queuedBytes += bytes;
    const maxBytes = this.options.maxBytes ?? Number.POSITIVE_INFINITY;
    while (
      this.items.length > this.options.capacity ||
      (this.queuedBytes > maxBytes && this.items.length > 1)
    ) {
      this.evictOldest();
    }
  }

  /** Ends the stream after the events already queued. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose?.();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Delivered<T>>> {
    // The reader asks for more: the event it had is written out.
    this.releaseInFlight();
    const item = this.items.shift();
    if (item) {
      this.queuedBytes -= item.bytes;
      this.inFlightBytes = item.bytes;
      return Promise.resolve({ value: this.mark(item.event), done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** The subscriber left: drop what is queued. */
  return(): Promise<IteratorResult<Delivered<T>>> {
    this.releaseInFlight();
    this.options.budget?.release(this.queuedBytes);
    this.queuedBytes = 0;
    this.items.length = 0;
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<Delivered<T>>> {
    this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private reserve(bytes: number): boolean {
    return this.options.budget?.reserve(bytes) ?? true;
  }

  private releaseInFlight(): void {
    this.options.budget?.release(this.inFlightBytes);
    this.inFlightBytes = 0;
  }

  /** Drops the oldest queued event; false when none is queued. */
  private evictOldest(): boolean {
    const oldest = this.items.shift();
    if (!oldest) return false;
    this.queuedBytes -= oldest.bytes;
    this.options.budget?.release(oldest.bytes);
    this.drop();
    return true;
  }

  private drop(): void {
    this.dropped++;
    this.options.onDrop?.();
  }

  private mark(event: T): Delivered<T> {
    const missedEvents = this.dropped;
    this.dropped = 0;
    return { ...event, missedEvents };
  }
}

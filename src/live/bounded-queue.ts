/** An event with the number of events dropped just before it (0 when none). */
export type Delivered<T> = T & { missedEvents: number };

/**
 * One subscriber's queue of events, bounded: while the subscriber reads
 * slower than events arrive, the oldest are dropped once `capacity` are
 * waiting, and the next event it reads says how many it missed. Memory per
 * subscriber stays bounded however slow it is.
 */
export class BoundedQueue<T extends object> implements AsyncIterableIterator<Delivered<T>> {
  private readonly items: T[] = [];
  private dropped = 0;
  private waiting: ((result: IteratorResult<Delivered<T>>) => void) | undefined;
  private closed = false;

  /**
   * @param capacity events kept for a subscriber that is not reading
   * @param onDrop told of each dropped event (for metrics)
   * @param onClose called once when the subscriber leaves or the queue is closed
   */
  constructor(
    private readonly capacity: number,
    private readonly onDrop: () => void = () => {},
    private readonly onClose: () => void = () => {},
  ) {}

  /** Events waiting to be read. */
  get size(): number {
    return this.items.length;
  }

  push(event: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: this.mark(event), done: false });
      return;
    }
    this.items.push(event);
    if (this.items.length > this.capacity) {
      this.items.shift();
      this.dropped++;
      this.onDrop();
    }
  }

  /** Ends the stream after the events already queued. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Delivered<T>>> {
    const event = this.items.shift();
    if (event) return Promise.resolve({ value: this.mark(event), done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** The subscriber left: drop what is queued. */
  return(): Promise<IteratorResult<Delivered<T>>> {
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

  private mark(event: T): Delivered<T> {
    const missedEvents = this.dropped;
    this.dropped = 0;
    return { ...event, missedEvents };
  }
}

import { matchesRequest } from './faults.js';
import type { FaultMatch, RecordedRequest } from './types.js';

type WaitMatch = FaultMatch & { aborted?: boolean };

interface Waiter {
  match: WaitMatch;
  resolve: (request: RecordedRequest) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The requests a simulator received, with waiting for a request to finish.
 * Only the most recent `limit` are kept, so a long-running simulator (demo
 * mode, soak runs) does not grow without bound.
 */
export class RequestLog {
  private records: RecordedRequest[] = [];

  constructor(private readonly limit = 10_000) {}
  private readonly finished = new WeakSet<RecordedRequest>();
  private waiters: Waiter[] = [];
  private seq = 0;

  /** Every recorded request, oldest first. */
  get all(): readonly RecordedRequest[] {
    return this.records;
  }

  /** Records a request that has just arrived (status 0 until it finishes). */
  begin(fields: Omit<RecordedRequest, 'seq' | 'status' | 'aborted'>): RecordedRequest {
    const record: RecordedRequest = { seq: ++this.seq, ...fields, status: 0, aborted: false };
    this.records.push(record);
    // Dropped in chunks: shifting one record at a time would copy the array on every request.
    if (this.records.length > this.limit + Math.ceil(this.limit / 10)) {
      this.records = this.records.slice(-this.limit);
    }
    return record;
  }

  /** Marks a request as answered (status) or abandoned (status 0), once, and wakes matching waiters. */
  finish(record: RecordedRequest, status: number, aborted: boolean): void {
    if (this.finished.has(record)) return;
    record.status = status;
    record.aborted = aborted;
    this.finished.add(record);
    for (const waiter of this.waiters.filter((w) => this.fits(w.match, record))) {
      clearTimeout(waiter.timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(record);
    }
  }

  clear(): void {
    this.records = [];
  }

  count(match?: FaultMatch): number {
    return this.records.filter((r) => matchesRequest(match, r)).length;
  }

  private fits(match: WaitMatch, record: RecordedRequest): boolean {
    return matchesRequest(match, record) && (match.aborted === undefined || match.aborted === record.aborted);
  }

  /** Resolves with the first finished request matching `match`, already recorded or still to come. */
  waitFor(match: WaitMatch, timeoutMs: number): Promise<RecordedRequest> {
    const done = this.records.find((r) => this.finished.has(r) && this.fits(match, r));
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`waitForRequest: no matching request finished within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Rejects every pending wait (the simulator is stopping). */
  close(): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('waitForRequest: the simulator stopped'));
    }
    this.waiters = [];
  }
}

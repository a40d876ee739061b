import type { FaultMatch, SimulatorFaults } from './types.js';

/** What a request looks like to fault and log matching. */
export interface RequestIdentity {
  method: string;
  operation: string;
  path: string;
  token?: string | undefined;
}

/** Whether a request matches every field given in `match` (method case-insensitively). */
export function matchesRequest(match: FaultMatch | undefined, request: RequestIdentity): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (match.operation !== undefined && match.operation !== request.operation) return false;
  if (match.token !== undefined && match.token !== request.token) return false;
  if (match.path !== undefined) {
    if (typeof match.path === 'string' ? match.path !== request.path : !match.path.test(request.path))
      return false;
  }
  return true;
}

/** A fault to apply to one request instead of answering it normally. */
export type FaultAction =
  | { kind: 'fail'; status: number; retryAfterSeconds: number | undefined; body: string | undefined }
  | { kind: 'drop' }
  | { kind: 'garbage' };

interface CountedFault {
  remaining: number;
  match: FaultMatch | undefined;
  action: FaultAction;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0)
    throw new TypeError(`fault count must be a non-negative integer`);
}

/** The fault plan of one simulator: a latency rule plus counted one-shot faults, first added first used. */
export class FaultRegistry implements SimulatorFaults {
  private latency: { ms: number; match: FaultMatch | undefined } | null = null;
  private counted: CountedFault[] = [];

  setLatency(ms: number, match?: FaultMatch): void {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError('latency must be a non-negative number of ms');
    this.latency = ms === 0 ? null : { ms, match };
  }

  failNext(
    count: number,
    status: number,
    options?: FaultMatch & { retryAfterSeconds?: number; body?: string },
  ): void {
    checkCount(count);
    if (!Number.isInteger(status) || status < 100 || status > 599)
      throw new TypeError('status must be 100..599');
    const { retryAfterSeconds, body, ...match } = options ?? {};
    this.counted.push({ remaining: count, match, action: { kind: 'fail', status, retryAfterSeconds, body } });
  }

  dropNext(count: number, match?: FaultMatch): void {
    checkCount(count);
    this.counted.push({ remaining: count, match, action: { kind: 'drop' } });
  }

  garbageNext(count: number, match?: FaultMatch): void {
    checkCount(count);
    this.counted.push({ remaining: count, match, action: { kind: 'garbage' } });
  }

  reset(): void {
    this.latency = null;
    this.counted = [];
  }

  /** The latency to add before answering this request (0: none). */
  latencyFor(request: RequestIdentity): number {
    return this.latency && matchesRequest(this.latency.match, request) ? this.latency.ms : 0;
  }

  /** Consumes and returns the first counted fault matching this request, if any. */
  take(request: RequestIdentity): FaultAction | undefined {
    const fault = this.counted.find((f) => f.remaining > 0 && matchesRequest(f.match, request));
    if (!fault) return undefined;
    fault.remaining--;
    this.counted = this.counted.filter((f) => f.remaining > 0);
    return fault.action;
  }
}

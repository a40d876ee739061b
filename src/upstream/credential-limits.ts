import { LRUCache } from 'lru-cache';
import type { Call, Send, UpstreamResponse } from './call.js';
import { isUpstreamError, UpstreamError } from './errors.js';

export interface CredentialLimitsOptions {
  /** Calls one credential may have in flight at once; the rest wait their turn. */
  concurrency: number;
  /** How long a credential backs off after a 429 that named no Retry-After. Default 1 s. */
  defaultBackoffMs?: number;
  /** Credentials backing off at once, at most; the least recently refused go first. Default 10,000. */
  maxBackoffs?: number;
  now?: () => number;
}

/**
 * Keeps one caller from hurting the others. Each credential may have at most
 * `concurrency` calls in flight, so one caller's burst cannot take every
 * connection to Run:ai. And a 429 backs off the credential that received it,
 * as long as its Retry-After asks, and no one else: its calls fail at once
 * with RATE_LIMITED meanwhile, without reaching Run:ai.
 */
/** A credential's calls in flight, and the calls waiting for one of them to end. */
interface Gate {
  running: number;
  waiting: (() => void)[];
}

export class CredentialLimits {
  /** Per credential with calls in flight: its gate. An idle credential has none, so holds no memory. */
  private readonly gates = new Map<string, Gate>();
  /** Per credential that Run:ai answered 429: until when it backs off. Bounded, whatever callers send. */
  private readonly backoffUntil: LRUCache<string, number>;
  private readonly now: () => number;

  constructor(
    private readonly send: Send,
    private readonly options: CredentialLimitsOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.backoffUntil = new LRUCache({ max: options.maxBackoffs ?? 10_000 });
  }

  readonly layer: Send = (call) => {
    const until = this.backoffUntil.get(call.scope);
    if (until !== undefined) {
      const waitMs = until - this.now();
      if (waitMs > 0) {
        return Promise.reject(
          new UpstreamError({
            code: 'RATE_LIMITED',
            operation: call.req.operation,
            status: 429,
            message: `Run:ai is rate limiting these credentials; retry in ${Math.ceil(waitMs / 1000)} s (${call.req.operation})`,
            retryAfterMs: waitMs,
          }),
        );
      }
      this.backoffUntil.delete(call.scope);
    }
    return this.throughGate(call).catch((error: unknown) => {
      if (isUpstreamError(error) && error.code === 'RATE_LIMITED')
        this.backOff(call.scope, error.retryAfterMs);
      throw error;
    });
  };

  /** Sends the call once its credential has fewer than `concurrency` calls in flight. */
  private async throughGate(call: Call): Promise<UpstreamResponse> {
    let gate = this.gates.get(call.scope);
    if (!gate) {
      gate = { running: 0, waiting: [] };
      this.gates.set(call.scope, gate);
    }
    if (gate.running >= this.options.concurrency) {
      await new Promise<void>((resolve) => (gate as Gate).waiting.push(resolve));
    } else {
      gate.running++;
    }
    try {
      return await this.send(call);
    } finally {
      // The slot passes straight to the next waiter; the last call out forgets the gate.
      const next = gate.waiting.shift();
      if (next) next();
      else if (--gate.running === 0) this.gates.delete(call.scope);
    }
  }

  private backOff(scope: string, retryAfterMs: number | undefined): void {
    this.backoffUntil.set(scope, this.now() + (retryAfterMs ?? this.options.defaultBackoffMs ?? 1_000));
  }

  /** Credentials that are backing off after a 429 now. */
  get backingOff(): number {
    const now = this.now();
    let count = 0;
    for (const until of this.backoffUntil.values()) if (until > now) count++;
    return count;
  }

  /** Credentials the back-off map holds (expired ones included until they are pushed out or read). */
  get backoffEntries(): number {
    return this.backoffUntil.size;
  }
}

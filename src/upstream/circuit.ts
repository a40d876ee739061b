import CircuitBreaker from 'opossum';
import type { Call, Send, UpstreamLogger, UpstreamResponse } from './call.js';
import { isUpstreamHealthFailure, UpstreamError } from './errors.js';

/** When a credential's circuit opens, and for how long. */
/** The circuit breakers' defaults (tuning knobs: docs/configuration.md). */
export const CIRCUIT_DEFAULTS = {
  errorThresholdPercentage: 50,
  volumeThreshold: 10,
  resetTimeoutMs: 10_000,
} as const;

export interface CircuitOptions {
  /** Share of failed calls in the rolling window that opens the circuit. Default 50. */
  errorThresholdPercentage?: number;
  /** Calls in the window before the circuit may open. Default 10. */
  volumeThreshold?: number;
  /** How long the circuit stays open before a trial call. Default 10 000 ms. */
  resetTimeoutMs?: number;
  /** Length of the rolling window. Default 10 000 ms. */
  rollingWindowMs?: number;
  /** Credentials with a circuit of their own at once; the least recently used ones are dropped. Default 1,000. */
  maxCredentials?: number;
  logger?: UpstreamLogger | undefined;
}

type Breaker = CircuitBreaker<[Call, unknown?], UpstreamResponse>;

/**
 * A circuit breaker per credential (opossum), so that failing calls pause a
 * caller's calls for a while instead of piling onto an unwell Run:ai. Only
 * signs that Run:ai itself is unwell count: 5xx, timeouts and connection
 * failures; a 4xx or a 429 answers for the caller's own request, and a
 * caller's abort is no failure at all. Each credential has its own circuit,
 * so no caller's failures can open the circuit of another.
 *
 * A credential gets its breaker at its first such failure: until then its
 * calls go straight through, so the many callers whose calls succeed cost
 * no breaker at all.
 */
export class CircuitBreakers {
  private readonly breakers = new Map<string, Breaker>();
  /** After shutdown() calls pass straight through: a breaker's timer would keep the process alive. */
  private stopped = false;

  constructor(
    private readonly send: Send,
    private readonly options: CircuitOptions = {},
  ) {}

  /** The layer: calls go through their credential's circuit, and fail at once while it is open. */
  readonly layer: Send = async (call) => {
    const breaker = this.stopped ? undefined : this.breakers.get(call.scope);
    if (!breaker) return this.sendWithoutBreaker(call);
    // Most recently used last, so the oldest entry is the one to drop.
    this.breakers.delete(call.scope);
    this.breakers.set(call.scope, breaker);
    try {
      return await breaker.fire(call);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EOPENBREAKER') throw error;
      throw new UpstreamError({
        code: 'UPSTREAM_UNAVAILABLE',
        operation: call.req.operation,
        message: `Run:ai is unavailable: too many recent calls failed, so calls are paused for a while (${call.req.operation})`,
      });
    }
  };

  /** Credentials with a breaker of their own. */
  get size(): number {
    return this.breakers.size;
  }

  /** How many credentials have their circuit open now. */
  get open(): number {
    let open = 0;
    for (const breaker of this.breakers.values()) if (breaker.opened) open++;
    return open;
  }

  /** Stops every breaker's rolling-window timer. */
  shutdown(): void {
    this.stopped = true;
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  /** A call of a credential without a breaker; its first sign of an unwell Run:ai gives it one. */
  private async sendWithoutBreaker(call: Call): Promise<UpstreamResponse> {
    try {
      return await this.send(call);
    } catch (error) {
      if (!this.stopped && isUpstreamHealthFailure(error)) {
        // The failure is counted by the new breaker as if it had gone through it.
        await this.breakerOf(call.scope)
          .fire(call, error)
          .catch(() => {});
      }
      throw error;
    }
  }

  private breakerOf(scope: string): Breaker {
    const { logger } = this.options;
    // `failed`: a failure that happened before the breaker existed, replayed so that it counts.
    const action = (call: Call, failed?: unknown) =>
      failed === undefined ? this.send(call) : Promise.reject(failed);
    const breaker: Breaker = new CircuitBreaker(action, {
      timeout: false, // deadlines are the deadline layer's
      // Only the state is used: no latency percentiles or snapshot events to keep per call.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      errorThresholdPercentage:
        this.options.errorThresholdPercentage ?? CIRCUIT_DEFAULTS.errorThresholdPercentage,
      volumeThreshold: this.options.volumeThreshold ?? CIRCUIT_DEFAULTS.volumeThreshold,
      resetTimeout: this.options.resetTimeoutMs ?? CIRCUIT_DEFAULTS.resetTimeoutMs,
      rollingCountTimeout: this.options.rollingWindowMs ?? 10_000,
      errorFilter: (error: unknown) => !isUpstreamHealthFailure(error),
    });
    breaker.on('open', () =>
      logger?.warn({ scope, circuit: 'open' }, 'Run:ai circuit open for a credential'),
    );
    breaker.on('close', () =>
      logger?.warn({ scope, circuit: 'closed' }, 'Run:ai circuit closed for a credential'),
    );
    this.breakers.set(scope, breaker);
    if (this.breakers.size > (this.options.maxCredentials ?? 1_000)) {
      const [oldest, dropped] = this.breakers.entries().next().value as [string, Breaker];
      dropped.shutdown();
      this.breakers.delete(oldest);
    }
    return breaker;
  }
}

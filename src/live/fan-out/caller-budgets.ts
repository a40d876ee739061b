import { ByteBudget } from './byte-budget.js';

/** What one caller may hold of the live layer at once, across all its connections (WebSocket and SSE). */
export interface LiveLimits {
  /** Open subscriptions (liveMaxSubscriptionsPerCaller). */
  subscriptionsPerCaller: number;
  /** Distinct metrics pollers (pool and window) its subscriptions hold (liveMaxMetricsPollersPerCaller). */
  metricsPollersPerCaller: number;
  /** Bytes queued for its slow subscribers (liveMaxQueuedBytesPerCaller). */
  queuedBytesPerCaller: number;
  /** Bytes queued for every slow subscriber of the process (liveMaxQueuedBytes). */
  queuedBytes: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  subscriptionsPerCaller: 1_000,
  metricsPollersPerCaller: 50,
  queuedBytesPerCaller: 16 * 1024 * 1024,
  queuedBytes: 64 * 1024 * 1024,
};

/** A refusal of a new subscription: the caller holds the most its budget allows. */
export class LiveLimitError extends Error {
  override readonly name = 'LiveLimitError';
  constructor(
    readonly code: 'TOO_MANY_SUBSCRIPTIONS' | 'TOO_MANY_POLLERS',
    message: string,
  ) {
    super(message);
  }
}

/** What a caller holds now. */
interface Holdings {
  subscriptions: number;
  /** Metrics pollers by key, with the caller's subscriptions on each. */
  pollers: Map<string, number>;
  bytes: ByteBudget;
}

/** One subscription's place in its caller's budgets, held until the subscription ends. */
export interface SubscriptionSlot {
  /** The caller's byte budget, for the subscription's queue. */
  bytes: ByteBudget;
  /** Gives the subscription's slot back (once). */
  release(): void;
}

/**
 * The live layer's budgets per caller: subscriptions, metrics pollers and
 * queued bytes, whatever connection or transport the subscriptions come
 * over. A caller is its own token, or the client address of a caller on
 * ambient credentials (src/http/callers.ts). A caller's entry lives while it
 * holds a subscription.
 */
export class CallerBudgets {
  private readonly callers = new Map<string, Holdings>();
  private readonly process: ByteBudget;

  constructor(private readonly limits: LiveLimits = DEFAULT_LIVE_LIMITS) {
    this.process = new ByteBudget(limits.queuedBytes);
  }

  /** Bytes queued for slow subscribers now, in the whole process. */
  get queuedBytes(): number {
    return this.process.held;
  }

  /**
   * Takes a slot for one more subscription of `caller` (on the metrics
   * poller `poller`, for `nodePoolMetrics`), or throws a {@link LiveLimitError}.
   */
  take(caller: string, poller?: string): SubscriptionSlot {
    const holdings = this.callers.get(caller) ?? {
      subscriptions: 0,
      pollers: new Map<string, number>(),
      bytes: new ByteBudget(this.limits.queuedBytesPerCaller, this.process),
    };
    if (holdings.subscriptions >= this.limits.subscriptionsPerCaller) {
      throw new LiveLimitError(
        'TOO_MANY_SUBSCRIPTIONS',
        `These credentials hold ${holdings.subscriptions} subscriptions, the most allowed across all connections (liveMaxSubscriptionsPerCaller); complete one first.`,
      );
    }
    if (
      poller !== undefined &&
      !holdings.pollers.has(poller) &&
      holdings.pollers.size >= this.limits.metricsPollersPerCaller
    ) {
      throw new LiveLimitError(
        'TOO_MANY_POLLERS',
        `These credentials follow the metrics of ${holdings.pollers.size} pools and windows, the most allowed (liveMaxMetricsPollersPerCaller); share a window or complete a subscription first.`,
      );
    }
    holdings.subscriptions++;
    if (poller !== undefined) holdings.pollers.set(poller, (holdings.pollers.get(poller) ?? 0) + 1);
    this.callers.set(caller, holdings);
    let released = false;
    return {
      bytes: holdings.bytes,
      release: () => {
        if (released) return;
        released = true;
        holdings.subscriptions--;
        if (poller !== undefined) {
          const left = (holdings.pollers.get(poller) ?? 1) - 1;
          if (left > 0) holdings.pollers.set(poller, left);
          else holdings.pollers.delete(poller);
        }
        if (holdings.subscriptions === 0 && this.callers.get(caller) === holdings)
          this.callers.delete(caller);
      },
    };
  }
}

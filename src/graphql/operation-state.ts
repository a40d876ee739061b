/**
 * What the pipeline keeps of one operation while it runs: its Run:ai call
 * budget, the calls it made, why its credentials were refused, and what its
 * resolvers report beside their values (partial errors, how long the
 * answer stays true, the event cursor). It sits on the context under a
 * private symbol: resolvers reach it only through the narrow views of
 * src/resolvers/context.ts, plugins through {@link stateOf}.
 */
import type { GraphQLError } from 'graphql';
import { gatewayError } from '../domain/errors.js';
import type { CallBudgetView, OperationReport } from '../resolvers/context.js';

const STATE: unique symbol = Symbol('nodepool-gateway operation state');

/**
 * The Run:ai calls one operation may make: `maxUpstreamCalls`, checked
 * against the prediction before it runs (use-cost-limit.ts), and against
 * the calls it makes, retries included, as a safety net. A subscription's
 * budget covers its subscribing and a resume's replay together, then each
 * live event on its own.
 */
export class CallBudget implements CallBudgetView {
  /** What the cost limit predicted (a subscription: subscribing plus one event), once it has run. */
  predicted: number | undefined;
  /** A subscription's calls per event (what its payload's selection makes); the rest of `predicted` is subscribing's. */
  perEvent: number | undefined;
  /** Calls made so far, retries included (a subscription: since it subscribed, or since its live event began). */
  made = 0;

  constructor(readonly limit: number) {}

  /** A call is about to go to Run:ai: past the budget it does not, and the operation's field fails. */
  spend(): void {
    if (++this.made > this.limit) {
      throw gatewayError(
        'QUERY_LIMIT_EXCEEDED',
        `Run:ai call budget of ${this.limit} exceeded while running: no more calls are made for this operation.`,
      );
    }
  }

  /** A retry is a call too: true, and counted, while the budget has room for it. */
  retry(): boolean {
    if (this.made >= this.limit) return false;
    this.made++;
    return true;
  }

  /**
   * How many events a resume may replay: what is left of the budget once
   * subscribing is paid, over what one event's selection costs. A replay
   * shares the budget with subscribing, since it comes at once.
   */
  replaysPaidFor(): number {
    const perEvent = this.perEvent ?? 0;
    if (perEvent <= 0) return Number.POSITIVE_INFINITY;
    const subscribing = Math.max(0, (this.predicted ?? perEvent) - perEvent);
    return Math.max(0, Math.floor((this.limit - subscribing) / perEvent));
  }
}

/** One operation's state (see the module's comment). */
export class OperationState implements OperationReport {
  readonly budget: CallBudget;
  /** Logical calls the operation made to Run:ai (retries not counted), for the log and the cache. */
  upstreamCalls = 0;
  /** The answer stays true at most this long, as its resolvers said (the response cache's TTL). */
  trueForMs: number | undefined;
  private partials: GraphQLError[] = [];
  private cursor: string | undefined;

  constructor(
    limit: number,
    /** Why the credentials the caller sent were refused (no token is then used, not even a fallback). */
    readonly credentialsProblem: string | undefined,
  ) {
    this.budget = new CallBudget(limit);
  }

  partialResult(error: GraphQLError): void {
    this.partials.push(error);
  }

  trueFor(ms: number): void {
    this.trueForMs = Math.min(this.trueForMs ?? ms, ms);
  }

  eventCursor(cursor: string | undefined): void {
    this.cursor = cursor;
  }

  /** The partial errors reported since the last call. */
  takePartialErrors(): GraphQLError[] {
    return this.partials.splice(0);
  }

  /** The cursor of the event just resolved, once. */
  takeCursor(): string | undefined {
    const cursor = this.cursor;
    this.cursor = undefined;
    return cursor;
  }
}

/** The context with its operation state, under the private symbol. */
export type WithState = { readonly [STATE]: OperationState };

export function withState<C extends object>(context: C, state: OperationState): C & WithState {
  return Object.assign(context, { [STATE]: state });
}

/** The state of the operation whose context this is; undefined for a context the gateway did not make. */
export function stateOf(context: unknown): OperationState | undefined {
  return (context as Partial<WithState> | null | undefined)?.[STATE];
}

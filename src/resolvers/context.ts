import type { GraphQLError } from 'graphql';
import type { LiveUpdates } from '../live/live-updates.js';
import type { MutationKind } from '../live/live-updates-types.js';
import type { Loaders } from '../loaders/index.js';
import type { NodePoolsApi } from '../upstream/bind-api.js';

/**
 * What a resolver reports beside the value it returns, for the pipeline to
 * use: errors that accompany data, how long the answer stays true, the
 * change feed cursor of the event being resolved.
 */
export interface OperationReport {
  /**
   * An error that accompanies data (PARTIAL_RESULT): GraphQL gives a field a value or an error, and a
   * metrics answer Run:ai computed in part needs both. It goes with the payload that brings its field.
   */
  partialResult(error: GraphQLError): void;
  /** The answer stays true at most this long (a metrics window's sampling step): the response cache's TTL. */
  trueFor(ms: number): void;
  /** The change feed cursor of the event being resolved: the result's `extensions.cursor`, SSE's event id. */
  eventCursor(cursor: string | undefined): void;
}

/** What a resolver may ask of the operation's Run:ai call budget. */
export interface CallBudgetView {
  /** How many change feed events a resume may replay within what is left of the budget. */
  replaysPaidFor(): number;
}

/** Everything a resolver may use for one GraphQL operation. Nothing in it is shared between callers. */
export interface ResolverContext {
  readonly requestId: string;
  /** Whose live budgets the operation spends: its own token, or its client address. */
  readonly caller: string;
  /** The caller's bearer token, forwarded to Run:ai. Never logged. */
  readonly token: string | undefined;
  /** The credential scope of `token` (its hash). */
  readonly scope: string | undefined;
  /** The Run:ai node-pools API, bound to this caller's credentials and request signal. */
  readonly api: NodePoolsApi;
  /** Per-request DataLoaders over `api` (per live event, for a subscription). */
  loaders: Loaders;
  /** When the operation (or the live event) started: every default time window is computed from it. */
  now: Date;
  /** The live layer behind subscriptions. */
  readonly live: LiveUpdates | undefined;
  /** SSE's `Last-Event-ID`: a reconnecting EventSource resumes its change feed after it. */
  readonly lastEventId: string | undefined;
  /** The request carried the federation router's secret (ROUTER_SECRET): the subgraph's SDL is its to read. */
  readonly asRouter: boolean;
  readonly report: OperationReport;
  readonly callBudget: CallBudgetView;
  /** Whether Run:ai accepted this operation's token lately (the credential verdicts), without asking it. */
  credentialsBelieved(): Promise<boolean>;
  /**
   * Tells the live layer and the response cache that a mutation changed this pool: subscribers see it
   * without waiting, and answers that showed it are dropped in every process before it resolves.
   */
  onPoolChanged(poolId: string, change?: MutationKind): Promise<void>;
  /**
   * A subscription's next live event begins: it gets its own clock, fresh loaders (its pools and metrics
   * are read anew) and a call budget of its own.
   */
  beginEvent(): void;
}

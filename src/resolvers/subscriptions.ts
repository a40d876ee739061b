import { EVENT_CURSOR_PATTERN } from '../domain/cursors.js';
import { gatewayError, isErrorCode } from '../domain/errors.js';
import { parseNodePoolId } from '../domain/ids.js';
import { LiveLimitError } from '../live/fan-out/caller-budgets.js';
import type { FeedEvent } from '../live/fan-out/change-feed.js';
import type { LiveSubscriber, MetricsDelivery, WatcherDelivery } from '../live/live-updates-types.js';
import type { PhaseChange } from '../live/pollers/phase-diff.js';
import type { PoolChange, PoolChangeKind } from '../live/pollers/pool-diff.js';
import type { LiveWindow } from '../live/pollers/pool-metrics-poller.js';
import type { MetricType, NodePool, NodePoolPhase } from '../upstream/models.js';
import type { ResolverContext } from './context.js';
import type { MetricSeries } from './pool-metrics.js';

export interface PhaseChangeFilterInput {
  ids?: readonly (string | number)[] | null | undefined;
  clusterId?: string | null | undefined;
  phases?:
    | { from?: readonly NodePoolPhase[] | null; to?: readonly NodePoolPhase[] | null }
    | null
    | undefined;
}

export interface PoolChangeFilterInput {
  ids?: readonly (string | number)[] | null | undefined;
  clusterId?: string | null | undefined;
  /** RESYNC is always delivered, named or not. */
  kinds?: readonly (PoolChangeKind | 'RESYNC')[] | null | undefined;
  /** Only changes touching one of these fields (a created or deleted pool touches all). */
  fields?: readonly string[] | null | undefined;
}

/** The ids and cluster conditions both filters share. */
function poolMatcher(
  input: { ids?: readonly (string | number)[] | null; clusterId?: string | null } | null | undefined,
) {
  const ids = input?.ids?.length ? new Set(input.ids.map((id) => parseNodePoolId(String(id)))) : null;
  const clusterId = input?.clusterId ?? null;
  return (poolId: string, poolClusterId: string) =>
    (!ids || ids.has(poolId)) && (!clusterId || poolClusterId === clusterId);
}

/** Compiles the phase subscription's filter once (its ids were checked by the argument rules). */
export function phaseChangeMatcher(
  input: PhaseChangeFilterInput | null | undefined,
): (change: PhaseChange) => boolean {
  const pool = poolMatcher(input);
  const from = input?.phases?.from?.length ? new Set<NodePoolPhase | null>(input.phases.from) : null;
  const to = input?.phases?.to?.length ? new Set<NodePoolPhase>(input.phases.to) : null;
  return (change) =>
    pool(change.poolId, change.pool.clusterId) &&
    (!from || from.has(change.previousPhase)) &&
    (!to || to.has(change.phase));
}

/** Compiles the pool change subscription's filter once. */
export function poolChangeMatcher(
  input: PoolChangeFilterInput | null | undefined,
): (change: PoolChange) => boolean {
  const pool = poolMatcher(input);
  const kinds = input?.kinds?.length ? new Set<string>(input.kinds) : null;
  const fields = input?.fields?.length ? input.fields : null;
  return (change) =>
    pool(change.poolId, change.pool.clusterId) &&
    (!kinds || kinds.has(change.kind)) &&
    (!fields ||
      change.kind !== 'UPDATED' ||
      change.changedFields.some((path) => fields.some((f) => path === f || path.startsWith(`${f}.`))));
}

function requireLive(ctx: ResolverContext): {
  who: LiveSubscriber;
  live: NonNullable<ResolverContext['live']>;
} {
  if (!ctx.token) {
    throw gatewayError(
      'UNAUTHENTICATED',
      'No credentials: send a Run:ai token in the connection_init payload or Authorization.',
    );
  }
  if (!ctx.live) throw new Error('live updates are not running');
  return { who: { token: ctx.token, caller: ctx.caller }, live: ctx.live };
}

/** Joins the live layer; a caller past its budget gets the budget's coded refusal (HTTP 429). */
function within<T>(join: () => T): T {
  try {
    return join();
  } catch (error) {
    if (!(error instanceof LiveLimitError)) throw error;
    throw gatewayError(error.code, error.message);
  }
}

/**
 * Where a change feed subscription resumes: after SSE's `Last-Event-ID`
 * (a reconnecting EventSource's last event, newer than any `after` in the
 * URL it reconnects to), else after `after`, else from now.
 */
function resumeAfter(after: string | null | undefined, ctx: ResolverContext): string | undefined {
  const cursor = ctx.lastEventId ?? after ?? undefined;
  if (cursor !== undefined && !EVENT_CURSOR_PATTERN.test(cursor)) {
    throw gatewayError(
      'BAD_USER_INPUT',
      'Last-Event-ID is not a cursor of this gateway: send the `id` of an event it wrote, or none.',
    );
  }
  return cursor;
}

/**
 * Shows Run:ai a token no verdict vouches for (`GET /api/v1/node-pools/count`)
 * before the live layer stores anything for its scope (a lease, a log, a
 * snapshot): an invented token gets UNAUTHENTICATED here, and nothing.
 */
async function proveToken(ctx: ResolverContext): Promise<void> {
  if (!(await ctx.credentialsBelieved())) await ctx.api.countNodePools();
}

/**
 * The change feed events of the caller's scope that `accept` takes, after
 * `after` when given, from the scope's one pool list watcher (joined or
 * started; leaving releases it). A resume replays at most what the
 * operation's call budget pays for (the calls one event's selection makes):
 * past it, a RESYNC.
 */
async function subscribeFeed(
  accept: (event: FeedEvent) => boolean,
  after: string | null | undefined,
  ctx: ResolverContext,
): Promise<AsyncIterable<WatcherDelivery>> {
  const { who, live } = requireLive(ctx);
  const from = resumeAfter(after, ctx);
  await proveToken(ctx);
  return within(() => live.subscribe(who, accept, from, { maxReplay: ctx.callBudget.replaysPaidFor() }));
}

/**
 * Resolves the `nodePoolPhaseChanged` subscription: the phase events of the
 * caller's scope, filtered, after `after` when given.
 */
export function subscribePhaseChanges(
  input: PhaseChangeFilterInput | null | undefined,
  after: string | null | undefined,
  ctx: ResolverContext,
): Promise<AsyncIterable<WatcherDelivery>> {
  const matches = phaseChangeMatcher(input);
  return subscribeFeed((event) => event.kind === 'phase' && matches(event.change), after, ctx);
}

/**
 * Resolves the `nodePoolChanged` subscription: pools created, updated and
 * deleted in the caller's scope, filtered, after `after` when given, from
 * the same shared watcher as the phase events.
 */
export function subscribePoolChanges(
  input: PoolChangeFilterInput | null | undefined,
  after: string | null | undefined,
  ctx: ResolverContext,
): Promise<AsyncIterable<WatcherDelivery>> {
  const matches = poolChangeMatcher(input);
  return subscribeFeed((event) => event.kind === 'pool' && matches(event.change), after, ctx);
}

/**
 * Resolves the `nodePoolMetrics` subscription: the pool's series over a
 * moving window, from the one metrics poller of this scope, pool and
 * window. The pool is looked up first (`GET /api/v1/node-pools/{id}`,
 * through the request's loader): a pool the caller cannot see refuses the
 * subscription with NOT_FOUND before any stream opens.
 */
export async function subscribePoolMetrics(
  args: { id: string; types: readonly MetricType[]; window: LiveWindow },
  ctx: ResolverContext,
): Promise<AsyncIterable<MetricsDelivery>> {
  const { who, live } = requireLive(ctx);
  const pool = await ctx.loaders.nodePoolById.load(parseNodePoolId(args.id));
  if (!pool) {
    throw gatewayError('NOT_FOUND', `No node pool with id ${args.id} is visible to you.`);
  }
  return within(() => live.subscribeMetrics(who, pool, args.types, args.window));
}

/** The error that ends a subscription when its poller ends (the token turned 401/403, the pool is gone). */
function ended(event: { code: string; message: string }): never {
  const message =
    event.code === 'NOT_FOUND'
      ? `The node pool is gone: ${event.message}`
      : `Run:ai refused the subscription's credentials: ${event.message}`;
  throw gatewayError(isErrorCode(event.code) ? event.code : 'UPSTREAM_ERROR', message);
}

/** What every change feed event carries besides its change. */
interface FeedFields {
  /** Its place in the scope's log, to resume after; null for an event that was not logged. */
  cursor: string | null;
  missedEvents: number;
  observedAt: Date;
}

/** A `nodePoolPhaseChanged` payload: a phase change, or the RESYNC that replaces a replay the log cannot give. */
export type PhaseChangePayload = FeedFields &
  (
    | ({ kind: 'PHASE_CHANGED' } & Omit<PhaseChange, 'observedAt'>)
    | { kind: 'RESYNC'; poolId: null; pool: null; previousPhase: null; phase: null }
  );

/** A `nodePoolChanged` payload: a pool change, or a RESYNC. */
export type PoolChangePayload = FeedFields &
  (
    | Omit<PoolChange, 'observedAt'>
    | { kind: 'RESYNC'; poolId: null; pool: NodePool | null; changedFields: string[] }
  );

/** The fields every feed event has; its cursor also goes to the result (SSE's event id). */
function feedFields(event: Exclude<WatcherDelivery, { kind: 'end' }>, ctx: ResolverContext): FeedFields {
  // A replay comes at once, as part of subscribing: it shares the subscription's loaders and budget.
  if (!event.replayed) ctx.beginEvent();
  ctx.report.eventCursor(event.cursor);
  const observedAt = event.kind === 'resync' ? event.observedAt : event.change.observedAt;
  return { cursor: event.cursor ?? null, missedEvents: event.missedEvents, observedAt };
}

/** One phase event as the subscription's payload (or the error that ends it). */
export function phaseChangeOf(event: WatcherDelivery, ctx: ResolverContext): PhaseChangePayload {
  if (event.kind === 'end') return ended(event);
  const fields = feedFields(event, ctx);
  if (event.kind === 'resync') {
    return { ...fields, kind: 'RESYNC', poolId: null, pool: null, previousPhase: null, phase: null };
  }
  if (event.kind !== 'phase') throw new Error('not a phase event');
  return { ...event.change, ...fields, kind: 'PHASE_CHANGED' };
}

/** One pool change as the subscription's payload (or the error that ends it). */
export function poolChangeOf(event: WatcherDelivery, ctx: ResolverContext): PoolChangePayload {
  if (event.kind === 'end') return ended(event);
  const fields = feedFields(event, ctx);
  if (event.kind === 'resync')
    return { ...fields, kind: 'RESYNC', poolId: null, pool: null, changedFields: [] };
  if (event.kind !== 'pool') throw new Error('not a pool event');
  return { ...event.change, ...fields };
}

/** What a `nodePoolMetrics` subscriber receives each interval. */
export interface LiveMetrics {
  poolId: string;
  start: Date;
  end: Date;
  series: MetricSeries[];
  observedAt: Date;
  missedEvents: number;
}

/** One metrics poll as the subscription's payload (or the error that ends it). */
export function poolMetricsOf(event: MetricsDelivery, ctx: ResolverContext): LiveMetrics {
  ctx.beginEvent();
  if (event.kind === 'end') return ended(event);
  const { pool, start, end, series, observedAt, missedEvents } = event;
  return { poolId: pool.id, start, end, series, observedAt, missedEvents };
}

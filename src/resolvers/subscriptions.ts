import { createGraphQLError, filter, pipe } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import type { PhaseChange } from '../live/phase-diff.js';
import type { WatcherEvent } from '../live/phase-watcher.js';
import type { NodePoolPhase } from '../upstream/models.js';
import { parseNodePoolId } from './ids.js';

export interface PhaseChangeFilterInput {
  ids?: readonly (string | number)[] | null | undefined;
  clusterId?: string | null | undefined;
  phases?:
    | { from?: readonly NodePoolPhase[] | null; to?: readonly NodePoolPhase[] | null }
    | null
    | undefined;
}

/** Compiles the subscription filter once (its ids were checked by the argument rules). */
export function phaseChangeMatcher(
  input: PhaseChangeFilterInput | null | undefined,
): (change: PhaseChange) => boolean {
  const ids = input?.ids?.length ? new Set(input.ids.map((id) => parseNodePoolId(String(id)))) : null;
  const clusterId = input?.clusterId ?? null;
  const from = input?.phases?.from?.length ? new Set<NodePoolPhase | null>(input.phases.from) : null;
  const to = input?.phases?.to?.length ? new Set<NodePoolPhase>(input.phases.to) : null;
  return (change) =>
    (!ids || ids.has(change.poolId)) &&
    (!clusterId || change.pool.clusterId === clusterId) &&
    (!from || from.has(change.previousPhase)) &&
    (!to || to.has(change.phase));
}

/**
 * Resolves the `nodePoolPhaseChanged` subscription: the caller's scope's
 * phase events, filtered. Joins (or starts) the one watcher of the scope;
 * leaving releases it.
 */
export function subscribePhaseChanges(
  input: PhaseChangeFilterInput | null | undefined,
  ctx: GatewayContext,
): AsyncIterable<WatcherEvent> {
  const matches = phaseChangeMatcher(input);
  if (!ctx.token) {
    throw createGraphQLError(
      'No credentials: send a Run:ai token in the connection_init payload or Authorization.',
      {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      },
    );
  }
  if (!ctx.live) throw new Error('live updates are not running');
  return pipe(
    ctx.live.subscribe(ctx.token),
    filter((event: WatcherEvent) => event.kind === 'end' || matches(event.change)),
  );
}

/**
 * Turns one watcher event into the subscription payload. The event that ends
 * a scope (its token turned 401/403) becomes an UNAUTHENTICATED or FORBIDDEN
 * error, after which the stream completes.
 */
export function phaseChangeOf(event: WatcherEvent): PhaseChange {
  if (event.kind === 'end') {
    throw createGraphQLError(`Run:ai refused the subscription's credentials: ${event.message}`, {
      extensions: { code: event.code },
    });
  }
  return event.change;
}

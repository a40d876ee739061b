import type { NodePool, NodePoolPhase } from '../../upstream/models.js';

/** The phase a pool reports once it has vanished from Run:ai's list. */
export const DELETED_PHASE = 'Deleted' as const;

/** One observed phase change of one pool. */
export interface PhaseChange {
  /** Raw Run:ai id. */
  poolId: string;
  /** The pool as last seen (for a vanished pool: before it vanished). */
  pool: NodePool;
  /** Null when the pool is new to the watcher. */
  previousPhase: NodePoolPhase | null;
  phase: NodePoolPhase;
  observedAt: Date;
}

/** Phases after which a pool changes only when someone changes it. */
export const STABLE_PHASES: ReadonlySet<NodePoolPhase | null> = new Set(['Ready', 'Empty', 'Unschedulable']);

/**
 * Compares two snapshots of the pool list by id: new pools come with
 * `previousPhase: null`, changed phases with both, vanished pools with phase
 * `Deleted` and their last known state. A pool whose phase Run:ai reports as
 * unknown (null) is not announced until its phase is known.
 */
export function diffPhases(
  previous: ReadonlyMap<string, NodePool>,
  current: ReadonlyMap<string, NodePool>,
  observedAt: Date,
): PhaseChange[] {
  const changes: PhaseChange[] = [];
  for (const [id, pool] of current) {
    const before = previous.get(id);
    if (pool.phase === null) continue;
    if (!before) changes.push({ poolId: id, pool, previousPhase: null, phase: pool.phase, observedAt });
    else if (before.phase !== pool.phase) {
      changes.push({ poolId: id, pool, previousPhase: before.phase, phase: pool.phase, observedAt });
    }
  }
  for (const [id, pool] of previous) {
    if (!current.has(id))
      changes.push({ poolId: id, pool, previousPhase: pool.phase, phase: DELETED_PHASE, observedAt });
  }
  return changes;
}

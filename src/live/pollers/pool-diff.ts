import type { NodePool } from '../../upstream/models.js';

/** What happened to a pool between two polls. */
export type PoolChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/** One observed change of one pool. */
export interface PoolChange {
  kind: PoolChangeKind;
  /** Raw Run:ai id. */
  poolId: string;
  /** The pool now; for a deleted pool, as last seen before it vanished. */
  pool: NodePool;
  /**
   * The `NodePool` fields whose value changed, as GraphQL paths
   * (`labelValue`, `status.nodes`); every field of a created or deleted pool.
   */
  changedFields: string[];
  observedAt: Date;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!sameValue(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/**
 * The paths at which two versions of a pool differ: top-level fields, and
 * the fields of a nested object that exists in both (`status.nodes`). The
 * model's keys are the GraphQL field names.
 */
export function changedFieldsOf(before: NodePool, after: NodePool): string[] {
  const changed: string[] = [];
  const a = before as unknown as Record<string, unknown>;
  const b = after as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const [x, y] = [a[key], b[key]];
    if (sameValue(x, y)) continue;
    if (isRecord(x) && isRecord(y)) {
      for (const inner of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (!sameValue(x[inner], y[inner])) changed.push(`${key}.${inner}`);
      }
    } else {
      changed.push(key);
    }
  }
  return changed.sort();
}

/**
 * Compares two snapshots of the pool list by id: pools that appeared,
 * changed (with the fields that changed) or vanished.
 */
export function diffPools(
  previous: ReadonlyMap<string, NodePool>,
  current: ReadonlyMap<string, NodePool>,
  observedAt: Date,
): PoolChange[] {
  const changes: PoolChange[] = [];
  for (const [poolId, pool] of current) {
    const before = previous.get(poolId);
    if (!before) {
      changes.push({ kind: 'CREATED', poolId, pool, changedFields: Object.keys(pool).sort(), observedAt });
      continue;
    }
    const changedFields = changedFieldsOf(before, pool);
    if (changedFields.length > 0) changes.push({ kind: 'UPDATED', poolId, pool, changedFields, observedAt });
  }
  for (const [poolId, pool] of previous) {
    if (!current.has(poolId)) {
      changes.push({ kind: 'DELETED', poolId, pool, changedFields: Object.keys(pool).sort(), observedAt });
    }
  }
  return changes;
}

import { describe, expect, it } from 'vitest';
import { changedFieldsOf, diffPools } from '../../src/live/pollers/pool-diff.js';
import type { NodePool } from '../../src/upstream/models.js';
import { parseNodePool } from '../../src/upstream/parse-node-pools.js';
import { examplePool } from '../upstream/parse-fixtures.js';

const pool = (overrides: Record<string, unknown> = {}): NodePool =>
  parseNodePool(examplePool(overrides), () => {});

describe('diffPools', () => {
  const at = new Date(0);

  it('names the fields that changed, nested ones by path', () => {
    const before = pool();
    const after = pool({
      labelValue: 'h100',
      status: { ...(examplePool().status as object), nodes: ['node-9'] },
    });
    expect(changedFieldsOf(before, after)).toEqual(['labelValue', 'status.nodes']);
    expect(changedFieldsOf(before, pool())).toEqual([]);
  });

  it('reports created, updated and deleted pools, and nothing for unchanged ones', () => {
    const kept = pool({ id: '1' });
    const changed = pool({ id: '2' });
    const gone = pool({ id: '3' });
    const added = pool({ id: '4' });
    const previous = new Map([
      ['1', kept],
      ['2', changed],
      ['3', gone],
    ]);
    const current = new Map([
      ['1', pool({ id: '1' })],
      ['2', pool({ id: '2', overProvisioningRatio: 3 })],
      ['4', added],
    ]);
    const changes = diffPools(previous, current, at);
    expect(changes.map((c) => [c.kind, c.poolId])).toEqual([
      ['UPDATED', '2'],
      ['CREATED', '4'],
      ['DELETED', '3'],
    ]);
    expect(changes[0]?.changedFields).toContain('overProvisioningRatio');
    expect(changes[2]?.pool).toBe(gone);
  });
});

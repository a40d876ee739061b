import { describe, expect, it, vi } from 'vitest';
import { parseCount, parseNodePool, parseNodePoolList } from '../../src/upstream/parse-node-pools.js';
import { badResponse, examplePool } from './parse-fixtures.js';

describe('parseNodePool', () => {
  it('normalizes the documented example, turning absent optional fields into null', () => {
    const warn = vi.fn();
    const pool = parseNodePool(examplePool(), warn);
    // The example as sent (its timestamps are already normalized), and null for every field it lacks.
    const { status, gpuResourceOptimization, ...asSent } = examplePool();
    expect(pool).toEqual({
      ...asSent,
      gpuNetworkAccelerationLabelKey: null,
      gpuResourceOptimization: {
        ...(gpuResourceOptimization as object),
        cpuSwapMemorySize: null,
        reservedGpuMemoryForSwapOperations: null,
      },
      overProvisioningRatio: null,
      status: {
        ...(status as object),
        placementStrategy: null,
        gpuNetworkAccelerationLabelKey: null,
        gpuNetworkAccelerationDetection: null,
        gpuResourceOptimization: null,
        overProvisioningRatio: null,
      },
      deletedBy: null,
    });
    expect(warn).not.toHaveBeenCalled();
    expect(Object.values(pool)).not.toContain(undefined);
  });

  it('accepts a numeric id', () => {
    expect(parseNodePool(examplePool({ id: 5 }), vi.fn()).id).toBe('5');
  });

  it('accepts a space-separated zone-less timestamp as UTC', () => {
    const pool = parseNodePool(
      examplePool({ createdAt: '2023-06-06 12:09:18.211', deletedAt: '2023-06-07 08:00:00' }),
      vi.fn(),
    );
    expect(pool.createdAt).toBe('2023-06-06T12:09:18.211Z');
    expect(pool.deletedAt).toBe('2023-06-07T08:00:00.000Z');
  });

  it('turns an unknown enum value into null and warns', () => {
    const warn = vi.fn();
    const pool = parseNodePool(
      examplePool({
        phase: 'Hibernating',
        placementStrategy: { cpu: 'binpack', gpu: 'packed-tight' },
        gpuNetworkAccelerationDetection: 'Maybe',
      }),
      warn,
    );
    expect(pool.phase).toBeNull();
    expect(pool.placementStrategy).toEqual({ cpu: 'binpack', gpu: null });
    expect(pool.gpuNetworkAccelerationDetection).toBeNull();
    expect(warn).toHaveBeenCalledWith(
      { field: 'phase', value: 'Hibernating' },
      'unknown enum value from Run:ai',
    );
    expect(warn).toHaveBeenCalledWith(
      { field: 'placementStrategy.gpu', value: 'packed-tight' },
      'unknown enum value from Run:ai',
    );
    expect(warn).toHaveBeenCalledWith(
      { field: 'gpuNetworkAccelerationDetection', value: 'Maybe' },
      'unknown enum value from Run:ai',
    );
    expect(warn).toHaveBeenCalledTimes(3);
  });

  it('drops extra fields of newer API versions', () => {
    const pool = parseNodePool(
      examplePool({
        networkTopologyId: 'nt-1',
        schedulingConfiguration: { foo: 1 },
        status: { nodes: [], conditions: [{ type: 'Synced' }] },
      }),
      vi.fn(),
    );
    expect(pool).not.toHaveProperty('networkTopologyId');
    expect(pool).not.toHaveProperty('schedulingConfiguration');
    expect(pool.status).not.toHaveProperty('conditions');
  });

  it('turns a wrongly typed optional field into null with a warning', () => {
    const warn = vi.fn();
    const pool = parseNodePool(examplePool({ overProvisioningRatio: 'lots', deletedAt: 'never' }), warn);
    expect(pool.overProvisioningRatio).toBeNull();
    expect(pool.deletedAt).toBeNull();
    expect(warn).toHaveBeenCalledWith(
      { field: 'overProvisioningRatio', value: 'lots' },
      'invalid value from Run:ai',
    );
    expect(warn).toHaveBeenCalledWith({ field: 'deletedAt', value: 'never' }, 'invalid value from Run:ai');
  });

  const { name: _name, ...withoutName } = examplePool();
  it.each([
    ['a missing required field', withoutName, 'name: missing'],
    ['a wrong type of a required field', examplePool({ isDefault: 'yes' }), 'isDefault'],
    ['an unparseable required timestamp', examplePool({ createdAt: 'soon' }), 'createdAt'],
    ['a body that is not an object', 'oops', '(body)'],
  ])(
    'fails on %s with UPSTREAM_BAD_RESPONSE naming the operation and the field, not the body',
    (_case, body, field) => {
      const err = badResponse(() => parseNodePool(body, vi.fn(), 'get_nodepool'));
      expect(err.code).toBe('UPSTREAM_BAD_RESPONSE');
      expect(err.operation).toBe('get_nodepool');
      expect(err.message).toContain('get_nodepool');
      expect(err.message).toContain(field);
      // The message names the field, not the body.
      expect(err.message).not.toContain('prod-cluster');
    },
  );
});

describe('parseNodePoolList / parseCount', () => {
  it('reads the envelope; a missing list is a bad response, not an empty page', () => {
    expect(parseNodePoolList({ nodepools: [examplePool(), examplePool({ id: 6 })] }, vi.fn())).toHaveLength(
      2,
    );
    expect(parseNodePoolList({ nodepools: [] }, vi.fn())).toEqual([]);
    expect(badResponse(() => parseNodePoolList({}, vi.fn())).message).toContain('nodepools: missing');
  });

  it('names the index of a broken item', () => {
    const err = badResponse(() =>
      parseNodePoolList({ nodepools: [examplePool(), examplePool({ clusterId: undefined })] }, vi.fn()),
    );
    expect(err.message).toContain('nodepools.1.clusterId: missing');
    expect(err.operation).toBe('get_nodepools');
  });

  it('reads a count, tolerating a numeric string', () => {
    expect(parseCount({ count: 12 })).toBe(12);
    expect(parseCount({ count: '12' })).toBe(12);
    expect(badResponse(() => parseCount({ total: 12 })).message).toContain('count: missing');
  });
});

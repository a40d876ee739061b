import { describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../src/upstream/errors.js';
import { parseMetrics } from '../../src/upstream/parse-metrics.js';
import {
  parseCount,
  parseLegacyNodePool,
  parseLegacyNodePoolList,
  parseNodePool,
  parseNodePoolList,
} from '../../src/upstream/parse-node-pools.js';
import { normalizeTimestamp } from '../../src/upstream/timestamps.js';

/** The example pool from spec/upstream-notes.md. */
function examplePool(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '5',
    name: 'a100',
    clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
    clusterName: 'prod-cluster',
    tenantId: 1,
    labelKey: 'node-pool-type',
    labelValue: 'a100',
    isDefault: false,
    phase: 'Ready',
    phaseMessage: '',
    status: {
      labelKey: 'node-pool-type',
      labelValue: 'a100',
      nodes: ['gpu-node-1', 'gpu-node-2'],
      gpuNetworkAccelerationDetected: false,
    },
    gpuNetworkAccelerationDetection: 'Auto',
    gpuResourceOptimization: { swapEnabled: false, nodeLevelSchedulerEnabled: false },
    placementStrategy: { cpu: 'binpack', gpu: 'binpack' },
    createdBy: 'admin@lab.com',
    createdAt: '2025-02-10T12:09:18.211Z',
    updatedBy: 'admin@lab.com',
    updatedAt: '2025-02-10T12:09:18.211Z',
    deletedAt: null,
    ...overrides,
  };
}

function badResponse(fn: () => unknown): UpstreamError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UpstreamError);
    return e as UpstreamError;
  }
  throw new Error('expected an UpstreamError');
}

describe('normalizeTimestamp', () => {
  it.each([
    ['2025-02-10T12:09:18.211Z', '2025-02-10T12:09:18.211Z'],
    ['2023-06-06 12:09:18.211', '2023-06-06T12:09:18.211Z'],
    ['2023-06-06 12:09:18', '2023-06-06T12:09:18.000Z'],
    ['2023-06-06T12:09:18.211123456Z', '2023-06-06T12:09:18.211Z'],
    ['2023-06-06T14:09:18+02:00', '2023-06-06T12:09:18.000Z'],
    ['2023-06-06T14:09:18+0200', '2023-06-06T12:09:18.000Z'],
    ['2023-06-06', '2023-06-06T00:00:00.000Z'],
    ['2024-02-29 23:00:00', '2024-02-29T23:00:00.000Z'],
    ['2026-01-31T23:30:00-01:00', '2026-02-01T00:30:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeTimestamp(input)).toBe(expected);
  });

  it.each([
    'yesterday',
    '',
    '2023-13-45 99:99:99',
    '12:09:18',
    '2026-02-30 12:00:00',
    '2025-02-29',
    '2026-04-31T00:00:00Z',
  ])('rejects %j', (input) => {
    expect(normalizeTimestamp(input)).toBeNull();
  });
});

describe('parseNodePool', () => {
  it('normalizes the documented example, turning absent optional fields into null', () => {
    const warn = vi.fn();
    const pool = parseNodePool(examplePool(), warn);
    expect(pool).toEqual({
      id: '5',
      name: 'a100',
      clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
      clusterName: 'prod-cluster',
      tenantId: 1,
      labelKey: 'node-pool-type',
      labelValue: 'a100',
      isDefault: false,
      phase: 'Ready',
      phaseMessage: '',
      placementStrategy: { cpu: 'binpack', gpu: 'binpack' },
      gpuNetworkAccelerationDetection: 'Auto',
      gpuNetworkAccelerationLabelKey: null,
      gpuResourceOptimization: {
        swapEnabled: false,
        cpuSwapMemorySize: null,
        reservedGpuMemoryForSwapOperations: null,
        nodeLevelSchedulerEnabled: false,
      },
      overProvisioningRatio: null,
      status: {
        labelKey: 'node-pool-type',
        labelValue: 'a100',
        nodes: ['gpu-node-1', 'gpu-node-2'],
        gpuNetworkAccelerationDetected: false,
        placementStrategy: null,
        gpuNetworkAccelerationLabelKey: null,
        gpuNetworkAccelerationDetection: null,
        gpuResourceOptimization: null,
        overProvisioningRatio: null,
      },
      createdAt: '2025-02-10T12:09:18.211Z',
      createdBy: 'admin@lab.com',
      updatedAt: '2025-02-10T12:09:18.211Z',
      updatedBy: 'admin@lab.com',
      deletedAt: null,
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

  it('fails with UPSTREAM_BAD_RESPONSE naming the operation and the missing field', () => {
    const { name: _name, ...withoutName } = examplePool();
    const err = badResponse(() => parseNodePool(withoutName, vi.fn(), 'get_nodepool'));
    expect(err.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(err.operation).toBe('get_nodepool');
    expect(err.message).toContain('get_nodepool');
    expect(err.message).toContain('name: missing');
    // The message names the field, not the body.
    expect(err.message).not.toContain('prod-cluster');
  });

  it('fails on a wrong type of a required field', () => {
    const err = badResponse(() => parseNodePool(examplePool({ isDefault: 'yes' }), vi.fn(), 'get_nodepool'));
    expect(err.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(err.message).toContain('isDefault');
  });

  it('fails on an unparseable required timestamp', () => {
    const err = badResponse(() => parseNodePool(examplePool({ createdAt: 'soon' }), vi.fn()));
    expect(err.message).toContain('createdAt');
  });

  it('fails when the body is not an object', () => {
    expect(badResponse(() => parseNodePool('oops', vi.fn())).code).toBe('UPSTREAM_BAD_RESPONSE');
  });
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

describe('parseLegacyNodePool', () => {
  const legacy = {
    id: 7,
    name: 'a100',
    clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
    labelKey: 'node-pool-type',
    labelValue: 'a100',
    overProvisioningRatio: 1,
    placementStrategy: { cpu: 'binpack', gpu: 'spread' },
    status: 'Ready',
    statusMessage: 'all good',
    nodes: '["n1","n2"]',
    isDefault: false,
    createdBy: 'admin@lab.com',
    createdAt: '2023-06-06 12:09:18.211',
    updatedBy: 'admin@lab.com',
    updatedAt: '2023-06-06T12:09:18.211Z',
  };

  it('maps status → phase and decodes the JSON-string nodes', () => {
    expect(parseLegacyNodePool(legacy, vi.fn())).toEqual({
      id: 7,
      name: 'a100',
      clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
      labelKey: 'node-pool-type',
      labelValue: 'a100',
      overProvisioningRatio: 1,
      placementStrategy: { cpu: 'binpack', gpu: 'spread' },
      phase: 'Ready',
      phaseMessage: 'all good',
      nodes: ['n1', 'n2'],
      isDefault: false,
      createdAt: '2023-06-06T12:09:18.211Z',
      createdBy: 'admin@lab.com',
      updatedAt: '2023-06-06T12:09:18.211Z',
      updatedBy: 'admin@lab.com',
      deletedAt: null,
    });
  });

  it('treats undecodable nodes as an empty list, with a warning', () => {
    const warn = vi.fn();
    expect(parseLegacyNodePool({ ...legacy, nodes: '[n1,' }, warn).nodes).toEqual([]);
    expect(warn).toHaveBeenCalledWith({ field: 'nodes', value: '[n1,' }, 'invalid value from Run:ai');
    expect(parseLegacyNodePool({ ...legacy, nodes: '' }, vi.fn()).nodes).toEqual([]);
    expect(parseLegacyNodePool({ ...legacy, nodes: undefined }, vi.fn()).nodes).toEqual([]);
  });

  it('accepts a numeric-string id and warns about an unknown status', () => {
    const warn = vi.fn();
    const pool = parseLegacyNodePool({ ...legacy, id: '7', status: 'Frozen' }, warn);
    expect(pool.id).toBe(7);
    expect(pool.phase).toBeNull();
    expect(warn).toHaveBeenCalledWith({ field: 'status', value: 'Frozen' }, 'unknown enum value from Run:ai');
  });

  it('requires an integer id', () => {
    const err = badResponse(() => parseLegacyNodePool({ ...legacy, id: 'abc' }, vi.fn(), 'createNodePool'));
    expect(err.operation).toBe('createNodePool');
    expect(err.message).toContain('id');
  });

  it('parses the bare array of the list endpoint', () => {
    expect(parseLegacyNodePoolList([legacy, { ...legacy, id: 8 }], vi.fn()).map((p) => p.id)).toEqual([7, 8]);
    expect(badResponse(() => parseLegacyNodePoolList({ nodepools: [] }, vi.fn())).code).toBe(
      'UPSTREAM_BAD_RESPONSE',
    );
  });
});

describe('parseMetrics', () => {
  it('normalizes timestamps and values, keeps labels, maps unknown types to null with a warning', () => {
    const warn = vi.fn();
    const metrics = parseMetrics(
      {
        measurements: [
          {
            type: 'GPU_UTILIZATION',
            labels: null,
            values: [
              { value: '42.5', timestamp: '2025-02-10T12:00:00Z' },
              { value: 43, timestamp: '2023-06-06 12:09:18.211' },
            ],
          },
          { type: 'GPU_UTILIZATION_DISTRIBUTION', labels: { range: '0-25' }, values: null },
          { type: 'WORKLOADS_COUNT', values: [{ value: '3', timestamp: null }], extra: true },
        ],
      },
      warn,
      { partial: true },
    );
    expect(metrics).toEqual({
      partial: true,
      measurements: [
        {
          type: 'GPU_UTILIZATION',
          rawType: 'GPU_UTILIZATION',
          labels: null,
          values: [
            { value: '42.5', timestamp: '2025-02-10T12:00:00.000Z' },
            { value: '43', timestamp: '2023-06-06T12:09:18.211Z' },
          ],
        },
        {
          type: 'GPU_UTILIZATION_DISTRIBUTION',
          rawType: 'GPU_UTILIZATION_DISTRIBUTION',
          labels: { range: '0-25' },
          values: [],
        },
        { type: null, rawType: 'WORKLOADS_COUNT', labels: null, values: [{ value: '3', timestamp: null }] },
      ],
    });
    expect(warn).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith(
      { field: 'type', value: 'WORKLOADS_COUNT' },
      'unknown enum value from Run:ai',
    );
  });

  it('names the sample that breaks the rules, and tolerates bad sample timestamps with a warning', () => {
    const measurement = (values: unknown) => ({ measurements: [{ type: 'TOTAL_GPU', values }] });
    const at = (values: unknown) => badResponse(() => parseMetrics(measurement(values), vi.fn())).message;
    expect(at([{ value: '1' }, { timestamp: null }])).toContain('measurements.0.values.1.value: missing');
    expect(at([{ value: true }])).toContain('measurements.0.values.0.value: expected a string or a number');
    expect(at(['1'])).toContain('measurements.0.values.0: expected an object');
    expect(at({ value: '1' })).toContain('measurements.0.values: expected an array');

    const warn = vi.fn();
    const parsed = parseMetrics(
      measurement([{ value: '1', timestamp: 17 }, { value: '2', timestamp: 'yesterday' }, { value: '3' }]),
      warn,
    );
    expect(parsed.measurements[0]?.values).toEqual([
      { value: '1', timestamp: null },
      { value: '2', timestamp: null },
      { value: '3', timestamp: null },
    ]);
    expect(warn.mock.calls).toEqual([
      [{ field: 'timestamp', value: 17 }, 'invalid value from Run:ai'],
      [{ field: 'timestamp', value: 'yesterday' }, 'invalid value from Run:ai'],
    ]);
  });

  it('keeps well-formed samples as sent and copies only when one needs normalising', () => {
    const good = [
      { value: '1', timestamp: '2026-01-01T00:00:00.000Z' },
      { value: '2', timestamp: '2026-01-01T00:01:00.000Z' },
    ];
    const untouched = parseMetrics({ measurements: [{ type: 'TOTAL_GPU', values: good }] }, vi.fn());
    expect(untouched.measurements[0]?.values).toBe(good);

    const mixed = [
      good[0],
      { value: 3, timestamp: '2026-01-01T00:02:00Z' },
      good[1],
      { value: '4', timestamp: '2026-02-30T00:00:00.000Z' },
    ];
    const warn = vi.fn();
    const copied = parseMetrics({ measurements: [{ type: 'TOTAL_GPU', values: mixed }] }, warn);
    const values = copied.measurements[0]?.values;
    expect(values).not.toBe(mixed);
    expect(values).toEqual([
      good[0],
      { value: '3', timestamp: '2026-01-01T00:02:00.000Z' },
      good[1],
      { value: '4', timestamp: null },
    ]);
    expect(values?.[0]).toBe(good[0]);
    expect(values?.[2]).toBe(good[1]);
    expect(mixed[1]).toEqual({ value: 3, timestamp: '2026-01-01T00:02:00Z' });
    expect(warn).toHaveBeenCalledOnce();
  });

  it('requires measurements', () => {
    const err = badResponse(() => parseMetrics({}, vi.fn()));
    expect(err.operation).toBe('get_nodepool_metrics');
    expect(err.message).toContain('measurements: missing');
  });
});

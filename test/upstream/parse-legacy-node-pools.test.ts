import { describe, expect, it, vi } from 'vitest';
import { parseLegacyNodePool, parseLegacyNodePoolList } from '../../src/upstream/parse-node-pools.js';
import { badResponse } from './parse-fixtures.js';

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
    const { status: _status, statusMessage: _statusMessage, nodes: _nodes, ...unchanged } = legacy;
    expect(parseLegacyNodePool(legacy, vi.fn())).toEqual({
      ...unchanged,
      phase: 'Ready',
      phaseMessage: 'all good',
      nodes: ['n1', 'n2'],
      createdAt: '2023-06-06T12:09:18.211Z',
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

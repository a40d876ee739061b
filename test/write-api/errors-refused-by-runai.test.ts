import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { globalId, useMutations, VIEWER } from '../helpers/errors.js';

const m = useMutations();
const PROD = SEED_CLUSTER_IDS.prod;

describe('ForbiddenError: a viewer may not change pools', () => {
  /** A pool the viewer tries to change: its raw Run:ai id. */
  let id = '';
  beforeAll(async () => {
    id = await m.freshPool();
  });

  it.each([
    [
      'createNodePool',
      'createNodePool(input: $create)',
      () => ({ create: { name: 'viewer-pool', clusterId: PROD, labelKey: 'k', labelValue: 'v' } }),
      { create_nodepool: 1 },
    ],
    [
      'updateNodePool',
      'updateNodePool(id: $id, input: { labelValue: "x" })',
      () => ({ id }),
      { update_nodepool: 1 },
    ],
    [
      'patchNodePool',
      'patchNodePool(id: $id, input: { labelValue: "x" })',
      () => ({ id }),
      { patch_nodepool: 1 },
    ],
    // The viewer may read: delete reads the pool first.
    ['deleteNodePool', 'deleteNodePool(id: $id)', () => ({ id }), { get_nodepool: 1, delete_nodepool: 1 }],
  ])(
    '%s: Run:ai refuses the change (403, not retried), and says why',
    async (_mutation, call, variables, calls) => {
      const res = await m.result(call, variables(), VIEWER);
      expect(res.__typename).toBe('ForbiddenError');
      expect(res.message).toMatch(/may not change node pools/);
      expect(m.stack.upstreamCalls()).toEqual(calls);
      expect(m.stack.simulator.requests.at(-1)?.status).toBe(403);
    },
  );

  it.each([
    [
      'legacyCreateNodePool',
      () =>
        `legacyCreateNodePool(clusterId: "${PROD}", input: { name: "viewer-legacy", labelKey: "k", labelValue: "v" })`,
    ],
    [
      'legacyUpdateNodePool',
      () => `legacyUpdateNodePool(clusterId: "${PROD}", id: ${id}, input: { labelValue: "x" })`,
    ],
    [
      'legacyUpdateNodePoolLabels',
      () => `legacyUpdateNodePoolLabels(clusterId: "${PROD}", id: ${id}, labelKey: "k", labelValue: "x")`,
    ],
    ['legacyDeleteNodePool', () => `legacyDeleteNodePool(clusterId: "${PROD}", id: ${id})`],
  ])('%s, of the deprecated API: a ForbiddenError as well', async (_mutation, call) => {
    expect((await m.result(call(), {}, VIEWER)).__typename).toBe('ForbiddenError');
  });
});

describe('ConflictError', () => {
  it.each([
    [
      'createNodePool',
      'a100',
      'createNodePool(input: $create)',
      { create: { name: 'a100', clusterId: PROD, labelKey: 'k', labelValue: 'v' } },
      { create_nodepool: 1 },
    ],
    [
      'legacyCreateNodePool',
      'h100',
      `legacyCreateNodePool(clusterId: "${PROD}", input: { name: "h100", labelKey: "k", labelValue: "v" })`,
      {},
      { createNodePool: 1 },
    ],
  ])('%s with the name %s, taken in the cluster', async (_mutation, name, call, variables, calls) => {
    const res = await m.result(call, variables);
    expect(res.__typename).toBe('ConflictError');
    expect(res.message).toMatch(name);
    expect(res.message).toMatch(/already exists/);
    expect(m.stack.upstreamCalls()).toEqual(calls);
  });
});

describe('NotFoundError', () => {
  it.each([
    ['updateNodePool', 'updateNodePool(id: "9999", input: { labelValue: "x" })', {}, { update_nodepool: 1 }],
    [
      'patchNodePool',
      'patchNodePool(id: $id, input: { labelValue: "x" })',
      { id: globalId('NodePool', '9999') },
      { patch_nodepool: 1 },
    ],
    // Delete finds out from its GET and never asks Run:ai to delete.
    ['deleteNodePool', 'deleteNodePool(id: "9999")', {}, { get_nodepool: 1 }],
  ])('%s of an unknown id', async (_mutation, call, variables, calls) => {
    const res = await m.result(call, variables);
    expect(res.__typename).toBe('NotFoundError');
    expect(res.message).toMatch(/9999/);
    expect(m.stack.upstreamCalls()).toEqual(calls);
  });

  it("a pool of another tenant is as unknown as a missing one (tenant 1002's pool 13)", async () => {
    const res = await m.result('patchNodePool(id: "13", input: { labelValue: "x" })');
    expect(res.__typename).toBe('NotFoundError');
  });

  it.each([
    [
      'legacyCreateNodePool in an unknown cluster',
      `legacyCreateNodePool(clusterId: "00000000-0000-4000-8000-000000000000", input: { name: "nowhere", labelKey: "k", labelValue: "v" })`,
    ],
    [
      'legacyUpdateNodePool of an unknown pool',
      `legacyUpdateNodePool(clusterId: "${PROD}", id: 9999, input: { labelValue: "x" })`,
    ],
    [
      'legacyUpdateNodePoolLabels of an unknown pool',
      `legacyUpdateNodePoolLabels(clusterId: "${PROD}", id: 9999, labelKey: "k", labelValue: "x")`,
    ],
    ['legacyDeleteNodePool of an unknown pool', `legacyDeleteNodePool(clusterId: "${PROD}", id: 9999)`],
    // Pool 8 exists, but in the research cluster.
    [
      'legacyDeleteNodePool of a pool of another cluster',
      `legacyDeleteNodePool(clusterId: "${PROD}", id: 8)`,
    ],
  ])('%s', async (_case, call) => {
    expect((await m.result(call)).__typename).toBe('NotFoundError');
  });
});

import { describe, expect, it } from 'vitest';
import {
  legacyCreateNodePool,
  legacyDeleteNodePool,
  legacyListNodePools,
  legacyUpdateNodePool,
  legacyUpdateNodePoolLabels,
} from '../../src/upstream/legacy-api.js';
import { getNodePool, listNodePools } from '../../src/upstream/nodepools-api.js';
import {
  itClassifiesFailures,
  PROD,
  poolOfSuite,
  readFailures,
  UNKNOWN_CLUSTER,
  useApiFixture,
  writeRefusals,
} from './nodepools-api-fixture.js';
import { uniqueName } from './support.js';

const api = useApiFixture();

describe('legacyListNodePools (GET /v1/k8s/clusters/{clusterId}/node-pools, deprecated)', () => {
  it('lists the same pools with integer ids', async () => {
    const legacy = await legacyListNodePools(api.as('admin'), PROD);
    const match = legacy.find((p) => p.name === 'a100');
    expect(match).toMatchObject({ id: Number(api.a100.id), clusterId: PROD, phase: api.a100.phase });
    expect(Array.isArray(match?.nodes)).toBe(true);
    expect(match?.nodes).toEqual(api.a100.status?.nodes);
  });

  itClassifiesFailures(api, 'getNodePools', [
    {
      when: '404 for an unknown cluster',
      call: (c) => legacyListNodePools(c, UNKNOWN_CLUSTER),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    ...readFailures((c) => legacyListNodePools(c, PROD)),
  ]);
});

describe('legacyCreateNodePool (POST /v1/k8s/clusters/{clusterId}/node-pools, deprecated)', () => {
  it('creates a pool; answers 201 with the pool', async () => {
    const name = uniqueName('legacy');
    const created = await legacyCreateNodePool(api.as('admin'), PROD, {
      name,
      labelKey: 'k',
      labelValue: 'v',
    });
    expect(created).toMatchObject({ name, clusterId: PROD });
    const listed = await listNodePools(api.as('admin'), { filterBy: [`name==${name}`] });
    expect(listed).toHaveLength(1);
  });

  const body = { name: uniqueName('legacy-denied'), labelKey: 'k', labelValue: 'v' };
  itClassifiesFailures(api, 'createNodePool', [
    {
      when: '400 for an invalid name',
      call: (c) => legacyCreateNodePool(c, PROD, { name: 'Bad Name', labelKey: 'k', labelValue: 'v' }),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
    },
    {
      when: '409 for a duplicate name',
      call: (c) => legacyCreateNodePool(c, PROD, { name: 'a100', labelKey: 'k', labelValue: 'v' }),
      expected: { code: 'CONFLICT', status: 409 },
    },
    ...writeRefusals((c) => legacyCreateNodePool(c, PROD, body)),
    {
      when: '404 for an unknown cluster',
      call: (c) => legacyCreateNodePool(c, UNKNOWN_CLUSTER, body),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
  ]);
});

describe('legacyUpdateNodePool (PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}, deprecated)', () => {
  it('is accepted and visible through the current API', async () => {
    const pool = await api.newPool('legacy-put');
    await legacyUpdateNodePool(api.as('admin'), PROD, Number(pool.id), {
      labelKey: 'node-pool-type',
      labelValue: 'h100',
      placementStrategy: { cpu: 'spread', gpu: 'spread' },
    });
    expect(api.stack.sim.requests.at(-1)).toMatchObject({ operation: 'updateNodePool', status: 202 });
    await expect(getNodePool(api.as('admin'), pool.id)).resolves.toMatchObject({ labelValue: 'h100' });
  });

  const pool = poolOfSuite(api, 'legacy-put-err');
  itClassifiesFailures(api, 'updateNodePool', [
    ...writeRefusals((c) => legacyUpdateNodePool(c, PROD, pool.number, { labelValue: 'x' })),
    {
      when: '404 for an unknown id',
      call: (c) => legacyUpdateNodePool(c, PROD, 999999, { labelValue: 'x' }),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    {
      when: '503 from Run:ai',
      inject: 503,
      call: (c) => legacyUpdateNodePool(c, PROD, pool.number, { labelValue: 'x' }),
      expected: { code: 'UPSTREAM_UNAVAILABLE', status: 503 },
    },
  ]);
});

describe('legacyUpdateNodePoolLabels (PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}/labels, deprecated)', () => {
  it('is accepted and visible through the current API', async () => {
    const pool = await api.newPool('legacy-labels');
    await legacyUpdateNodePoolLabels(api.as('admin'), PROD, Number(pool.id), {
      labelKey: 'gpu-type',
      labelValue: 'v100',
    });
    expect(api.stack.sim.requests.at(-1)).toMatchObject({ operation: 'updateNodePoolLabels', status: 202 });
    await expect(getNodePool(api.as('admin'), pool.id)).resolves.toMatchObject({
      labelKey: 'gpu-type',
      labelValue: 'v100',
    });
  });

  const pool = poolOfSuite(api, 'legacy-labels-err');
  const labels = { labelKey: 'k', labelValue: 'v' };
  itClassifiesFailures(api, 'updateNodePoolLabels', [
    ...writeRefusals((c) => legacyUpdateNodePoolLabels(c, PROD, pool.number, labels)),
    {
      when: '404 for an unknown id',
      call: (c) => legacyUpdateNodePoolLabels(c, PROD, 999999, labels),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    {
      when: '503 from Run:ai',
      inject: 503,
      call: (c) => legacyUpdateNodePoolLabels(c, PROD, pool.number, labels),
      expected: { code: 'UPSTREAM_UNAVAILABLE', status: 503 },
    },
  ]);
});

describe('legacyDeleteNodePool (DELETE /v1/k8s/clusters/{clusterId}/node-pools/{id}, deprecated)', () => {
  it('accepts the deletion (202)', async () => {
    const pool = await api.newPool('legacy-delete');
    await legacyDeleteNodePool(api.as('admin'), PROD, Number(pool.id));
    expect(api.stack.sim.requests.at(-1)).toMatchObject({ operation: 'deleteNodePool', status: 202 });
  });

  const pool = poolOfSuite(api, 'legacy-delete-err');
  itClassifiesFailures(api, 'deleteNodePool', [
    {
      when: '400 for the default pool',
      call: (c) => legacyDeleteNodePool(c, PROD, Number(api.defaultPool.id)),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
    },
    ...writeRefusals((c) => legacyDeleteNodePool(c, PROD, pool.number)),
    {
      when: '404 for an unknown id',
      call: (c) => legacyDeleteNodePool(c, PROD, 999999),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    {
      when: '503 from Run:ai',
      inject: 503,
      call: (c) => legacyDeleteNodePool(c, PROD, pool.number),
      expected: { code: 'UPSTREAM_UNAVAILABLE', status: 503 },
    },
  ]);
});

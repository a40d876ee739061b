import { describe, expect, it } from 'vitest';
import {
  countNodePools,
  getNodePool,
  getNodePoolMetrics,
  listNodePools,
} from '../../src/upstream/nodepools-api.js';
import {
  itClassifiesFailures,
  metricsParams,
  PROD,
  readFailures,
  useApiFixture,
} from './nodepools-api-fixture.js';
import { ADMIN, startStack } from './support.js';

const api = useApiFixture();

describe('listNodePools (GET /api/v1/node-pools)', () => {
  it("lists the tenant's pools, normalized", async () => {
    const pools = await listNodePools(api.as('admin'));
    expect(pools.length).toBeGreaterThan(1);
    for (const pool of pools) {
      expect(pool.id).toMatch(/^\d+$/);
      expect(pool.tenantId).toBe(1001);
      expect(pool.createdAt).toMatch(/Z$/);
    }
    expect(api.a100).toMatchObject({
      name: 'a100',
      clusterName: 'prod-cluster',
      labelValue: 'a100',
      isDefault: false,
    });
    // Tenants are isolated.
    const other = await listNodePools(api.as('other tenant'));
    expect(other.every((p) => p.tenantId === 1002)).toBe(true);
  });

  it('pages, sorts and filters', async () => {
    const page = await listNodePools(api.as('admin'), {
      sortBy: 'name',
      sortOrder: 'desc',
      offset: 1,
      limit: 2,
    });
    expect(page).toHaveLength(2);
    expect(page[0]!.name >= page[1]!.name).toBe(true);
    const filtered = await listNodePools(api.as('admin'), { filterBy: ['name==a100', `clusterId==${PROD}`] });
    expect(filtered.map((p) => p.id)).toEqual([api.a100.id]);
  });

  itClassifiesFailures(api, 'get_nodepools', [
    {
      when: '400 for an invalid filter',
      call: (c) => listNodePools(c, { filterBy: ['bogus'] }),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
      upstreamMessageContains: 'filterBy',
    },
    ...readFailures((c) => listNodePools(c)),
  ]);
});

describe('countNodePools (GET /api/v1/node-pools/count)', () => {
  it('counts with the same filters as the list', async () => {
    const all = await listNodePools(api.as('admin'), { limit: 500 });
    await expect(countNodePools(api.as('admin'))).resolves.toBe(all.length);
    await expect(
      countNodePools(api.as('admin'), { filterBy: ['name==a100', `clusterId==${PROD}`] }),
    ).resolves.toBe(1);
  });

  itClassifiesFailures(api, 'count_nodepools', [
    {
      when: '400 for an invalid filter',
      call: (c) => countNodePools(c, { filterBy: ['createdAt=@2025'] }),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
    },
    ...readFailures((c) => countNodePools(c)),
  ]);
});

describe('getNodePool (GET /api/v1/node-pools/{nodepoolId})', () => {
  it('gets one pool', async () => {
    await expect(getNodePool(api.as('viewer'), api.a100.id)).resolves.toEqual(api.a100);
  });

  itClassifiesFailures(api, 'get_nodepool', [
    {
      when: '404 for an unknown id',
      call: (c) => getNodePool(c, '999999'),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    {
      when: '404 for another tenant’s pool',
      as: 'other tenant',
      call: (c) => getNodePool(c, api.a100.id),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    {
      when: '400 from Run:ai',
      inject: 400,
      call: (c) => getNodePool(c, api.a100.id),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
    },
    {
      when: '500 from Run:ai',
      inject: 500,
      call: (c) => getNodePool(c, api.a100.id),
      expected: { code: 'UPSTREAM_ERROR', status: 500 },
    },
    ...readFailures((c) => getNodePool(c, api.a100.id)),
  ]);
});

describe('getNodePoolMetrics (GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics)', () => {
  it('returns normalized measurements', async () => {
    const metrics = await getNodePoolMetrics(api.as('viewer'), metricsParams());
    expect(metrics.partial).toBe(false);
    expect(metrics.measurements.map((m) => m.type).sort()).toEqual(['GPU_UTILIZATION', 'TOTAL_GPU']);
    for (const m of metrics.measurements) {
      expect(m.rawType).toBe(m.type);
      expect(m.values.length).toBeGreaterThan(0);
      for (const v of m.values) {
        expect(Number.isFinite(Number(v.value))).toBe(true);
        expect(v.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      }
    }
  });

  it('reports a 207 as partial', async () => {
    const partialStack = await startStack({ partialMetricTypes: ['TOTAL_GPU'] });
    try {
      const metrics = await getNodePoolMetrics(partialStack.ctx(ADMIN), metricsParams());
      expect(metrics.partial).toBe(true);
      expect(metrics.measurements.map((m) => m.type)).toEqual(['GPU_UTILIZATION']);
    } finally {
      await partialStack.stop();
    }
  });

  itClassifiesFailures(api, 'get_nodepool_metrics', [
    {
      when: '400 for a window that ends before it starts',
      call: (c) =>
        getNodePoolMetrics(c, metricsParams({ start: '2025-02-10T12:00:00Z', end: '2025-02-10T10:00:00Z' })),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
    },
    {
      when: '404 for an unknown pool name',
      call: (c) => getNodePoolMetrics(c, metricsParams({ nodepoolName: 'no-such-pool' })),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    ...readFailures((c) => getNodePoolMetrics(c, metricsParams())),
  ]);
});

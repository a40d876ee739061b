import { SEED_CLUSTERS } from 'runai-simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bindNodePoolsApi } from '../../src/upstream/bind-api.js';
import type { UpstreamErrorCode } from '../../src/upstream/errors.js';
import {
  legacyCreateNodePool,
  legacyDeleteNodePool,
  legacyListNodePools,
  legacyUpdateNodePool,
  legacyUpdateNodePoolLabels,
} from '../../src/upstream/legacy-api.js';
import type { NodePool } from '../../src/upstream/models.js';
import {
  type CallContext,
  countNodePools,
  createNodePool,
  deleteNodePool,
  getNodePool,
  getNodePoolMetrics,
  getNodePoolMetricsCsv,
  listNodePools,
  type NodePoolMetricsParams,
  patchNodePool,
  updateNodePool,
} from '../../src/upstream/nodepools-api.js';
import {
  ADMIN,
  ADMIN_2,
  expectUpstreamError,
  type Stack,
  startStack,
  uniqueName,
  VIEWER,
} from './support.js';

const PROD = SEED_CLUSTERS.prod.id;
const UNAUTHORIZED = 'Issuer is not familiar.';
const FORBIDDEN = 'You do not have sufficient permissions.';
const UNAVAILABLE = 'Please try again in few minutes.';

let stack: Stack;
let a100: NodePool;
let defaultPool: NodePool;

beforeAll(async () => {
  stack = await startStack();
  const pools = await listNodePools(stack.ctx(ADMIN), { filterBy: [`clusterId==${PROD}`], limit: 500 });
  a100 = pools.find((p) => p.name === 'a100')!;
  defaultPool = pools.find((p) => p.isDefault)!;
  stack.sim.clearRequests();
});

afterAll(async () => {
  await stack.stop();
});

afterEach(() => {
  stack.sim.faults.reset();
  stack.sim.clearRequests();
});

const admin = (): CallContext => stack.ctx(ADMIN);
const viewer = (): CallContext => stack.ctx(VIEWER);
const anonymous = (): CallContext => stack.ctx(undefined);
/** A context whose client does not retry, so one injected failure is the answer. */
const once = (token = ADMIN): CallContext => stack.ctx(token, stack.noRetry);

function metricsParams(overrides: Partial<NodePoolMetricsParams> = {}): NodePoolMetricsParams {
  return {
    clusterId: PROD,
    nodepoolName: 'a100',
    start: '2025-02-10T10:00:00.000Z',
    end: '2025-02-10T12:00:00.000Z',
    numberOfSamples: 4,
    metricTypes: ['GPU_UTILIZATION', 'TOTAL_GPU'],
    ...overrides,
  };
}

async function newPool(prefix = 'pool'): Promise<NodePool> {
  return createNodePool(admin(), {
    name: uniqueName(prefix),
    clusterId: PROD,
    labelKey: 'node-pool-type',
    labelValue: 'a10',
  });
}

/** Injects one failure with `status` for `operation` and expects it classified as `code`. */
async function injected(
  operation: string,
  status: number,
  code: UpstreamErrorCode,
  run: (ctx: CallContext) => Promise<unknown>,
  upstreamMessage?: string,
): Promise<void> {
  stack.sim.faults.failNext(1, status, { operation });
  await expectUpstreamError(run(once()), {
    code,
    status,
    operation,
    ...(upstreamMessage ? { upstreamMessage } : {}),
  });
}

describe('listNodePools (GET /api/v1/node-pools)', () => {
  it("lists the tenant's pools, normalized", async () => {
    const pools = await listNodePools(admin());
    expect(pools.length).toBeGreaterThan(1);
    for (const pool of pools) {
      expect(pool.id).toMatch(/^\d+$/);
      expect(pool.tenantId).toBe(1001);
      expect(pool.createdAt).toMatch(/Z$/);
    }
    expect(a100).toMatchObject({
      name: 'a100',
      clusterName: 'prod-cluster',
      labelValue: 'a100',
      isDefault: false,
    });
    // Tenants are isolated.
    const other = await listNodePools(stack.ctx(ADMIN_2));
    expect(other.every((p) => p.tenantId === 1002)).toBe(true);
  });

  it('pages, sorts and filters', async () => {
    const page = await listNodePools(admin(), { sortBy: 'name', sortOrder: 'desc', offset: 1, limit: 2 });
    expect(page).toHaveLength(2);
    expect(page[0]!.name >= page[1]!.name).toBe(true);
    const filtered = await listNodePools(admin(), { filterBy: ['name==a100', `clusterId==${PROD}`] });
    expect(filtered.map((p) => p.id)).toEqual([a100.id]);
  });

  it('400 on an invalid filter', async () => {
    const err = await expectUpstreamError(listNodePools(admin(), { filterBy: ['bogus'] }), {
      code: 'BAD_USER_INPUT',
      status: 400,
      operation: 'get_nodepools',
    });
    expect(err.upstreamMessage).toContain('filterBy');
  });

  it('401 without a token', async () => {
    await expectUpstreamError(listNodePools(anonymous()), {
      code: 'UNAUTHENTICATED',
      status: 401,
      upstreamMessage: UNAUTHORIZED,
      operation: 'get_nodepools',
    });
  });

  it('403 and 503 from Run:ai', async () => {
    await injected('get_nodepools', 403, 'FORBIDDEN', (c) => listNodePools(c), FORBIDDEN);
    await injected('get_nodepools', 503, 'UPSTREAM_UNAVAILABLE', (c) => listNodePools(c), UNAVAILABLE);
  });
});

describe('countNodePools (GET /api/v1/node-pools/count)', () => {
  it('counts with the same filters as the list', async () => {
    const all = await listNodePools(admin(), { limit: 500 });
    await expect(countNodePools(admin())).resolves.toBe(all.length);
    await expect(countNodePools(admin(), { filterBy: ['name==a100', `clusterId==${PROD}`] })).resolves.toBe(
      1,
    );
  });

  it('400, 401, 403, 503', async () => {
    await expectUpstreamError(countNodePools(admin(), { filterBy: ['createdAt=@2025'] }), {
      code: 'BAD_USER_INPUT',
      status: 400,
      operation: 'count_nodepools',
    });
    await expectUpstreamError(countNodePools(anonymous()), {
      code: 'UNAUTHENTICATED',
      status: 401,
      upstreamMessage: UNAUTHORIZED,
    });
    await injected('count_nodepools', 403, 'FORBIDDEN', (c) => countNodePools(c), FORBIDDEN);
    await injected('count_nodepools', 503, 'UPSTREAM_UNAVAILABLE', (c) => countNodePools(c), UNAVAILABLE);
  });
});

describe('getNodePool (GET /api/v1/node-pools/{nodepoolId})', () => {
  it('gets one pool', async () => {
    await expect(getNodePool(viewer(), a100.id)).resolves.toEqual(a100);
  });

  it('404 for an unknown id and for another tenant’s pool', async () => {
    await expectUpstreamError(getNodePool(admin(), '999999'), {
      code: 'NOT_FOUND',
      status: 404,
      operation: 'get_nodepool',
    });
    await expectUpstreamError(getNodePool(stack.ctx(ADMIN_2), a100.id), { code: 'NOT_FOUND', status: 404 });
  });

  it('400, 401, 403, 500, 503', async () => {
    await injected('get_nodepool', 400, 'BAD_USER_INPUT', (c) => getNodePool(c, a100.id));
    await expectUpstreamError(getNodePool(anonymous(), a100.id), {
      code: 'UNAUTHENTICATED',
      status: 401,
      upstreamMessage: UNAUTHORIZED,
    });
    await injected('get_nodepool', 403, 'FORBIDDEN', (c) => getNodePool(c, a100.id), FORBIDDEN);
    await injected('get_nodepool', 500, 'UPSTREAM_ERROR', (c) => getNodePool(c, a100.id));
    await injected('get_nodepool', 503, 'UPSTREAM_UNAVAILABLE', (c) => getNodePool(c, a100.id), UNAVAILABLE);
  });
});

describe('createNodePool (POST /api/v1/node-pools)', () => {
  it('creates a pool in phase Creating', async () => {
    const name = uniqueName('created');
    const pool = await createNodePool(admin(), {
      name,
      clusterId: PROD,
      labelKey: 'node-pool-type',
      labelValue: 'a10',
      placementStrategy: { cpu: 'spread', gpu: 'binpack' },
    });
    expect(pool).toMatchObject({
      name,
      clusterId: PROD,
      phase: 'Creating',
      placementStrategy: { cpu: 'spread', gpu: 'binpack' },
      isDefault: false,
    });
    expect(stack.sim.requests.at(-1)?.body).toMatchObject({ name, clusterId: PROD });
  });

  it('400 for an invalid name, 409 for a duplicate name', async () => {
    const base = { clusterId: PROD, labelKey: 'k', labelValue: 'v' };
    const bad = await expectUpstreamError(createNodePool(admin(), { ...base, name: 'Not_Valid' }), {
      code: 'BAD_USER_INPUT',
      status: 400,
      operation: 'create_nodepool',
    });
    expect(bad.upstreamMessage).toMatch(/name/);
    const dup = await expectUpstreamError(createNodePool(admin(), { ...base, name: 'a100' }), {
      code: 'CONFLICT',
      status: 409,
      operation: 'create_nodepool',
    });
    expect(dup.upstreamMessage).toContain('already exists');
  });

  it('401 without a token, 403 for a viewer, 503 not retried', async () => {
    const body = { name: uniqueName('denied'), clusterId: PROD, labelKey: 'k', labelValue: 'v' };
    await expectUpstreamError(createNodePool(anonymous(), body), {
      code: 'UNAUTHENTICATED',
      status: 401,
      upstreamMessage: UNAUTHORIZED,
    });
    await expectUpstreamError(createNodePool(viewer(), body), {
      code: 'FORBIDDEN',
      status: 403,
      upstreamMessage: FORBIDDEN,
      operation: 'create_nodepool',
    });
    stack.sim.clearRequests();
    stack.sim.faults.failNext(1, 503, { operation: 'create_nodepool' });
    await expectUpstreamError(createNodePool(admin(), body), { code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    expect(stack.sim.countRequests({ operation: 'create_nodepool' })).toBe(1);
  });
});

describe('updateNodePool (PUT /api/v1/node-pools/{nodepoolId})', () => {
  it('replaces the updatable fields', async () => {
    const pool = await newPool('put');
    const updated = await updateNodePool(admin(), pool.id, {
      labelKey: 'node-pool-type',
      labelValue: 'l4',
      placementStrategy: { cpu: 'spread', gpu: 'spread' },
    });
    expect(updated).toMatchObject({
      id: pool.id,
      labelValue: 'l4',
      placementStrategy: { cpu: 'spread', gpu: 'spread' },
    });
  });

  it('400, 401, 403, 404, 503', async () => {
    const pool = await newPool('put-err');
    await expectUpstreamError(
      updateNodePool(admin(), pool.id, {
        gpuResourceOptimization: {
          swapEnabled: false,
          cpuSwapMemorySize: '10G',
          reservedGpuMemoryForSwapOperations: null,
          nodeLevelSchedulerEnabled: null,
        },
      }),
      { code: 'BAD_USER_INPUT', status: 400, operation: 'update_nodepool' },
    );
    await expectUpstreamError(updateNodePool(anonymous(), pool.id, { labelValue: 'x' }), {
      code: 'UNAUTHENTICATED',
      status: 401,
    });
    await expectUpstreamError(updateNodePool(viewer(), pool.id, { labelValue: 'x' }), {
      code: 'FORBIDDEN',
      status: 403,
      upstreamMessage: FORBIDDEN,
    });
    await expectUpstreamError(updateNodePool(admin(), '999999', { labelValue: 'x' }), {
      code: 'NOT_FOUND',
      status: 404,
      operation: 'update_nodepool',
    });
    await injected('update_nodepool', 500, 'UPSTREAM_ERROR', (c) =>
      updateNodePool(c, pool.id, { labelValue: 'x' }),
    );
    await injected('update_nodepool', 503, 'UPSTREAM_UNAVAILABLE', (c) =>
      updateNodePool(c, pool.id, { labelValue: 'x' }),
    );
  });
});

describe('patchNodePool (PATCH /api/v1/node-pools/{nodepoolId})', () => {
  it('changes only the given fields; explicit null goes out as null', async () => {
    const pool = await newPool('patch');
    const patched = await patchNodePool(admin(), pool.id, {
      placementStrategy: { gpu: 'spread' },
      gpuNetworkAccelerationLabelKey: null,
    });
    expect(patched.placementStrategy?.gpu).toBe('spread');
    expect(patched.labelValue).toBe(pool.labelValue);
    expect(stack.sim.requests.at(-1)?.body).toEqual({
      placementStrategy: { gpu: 'spread' },
      gpuNetworkAccelerationLabelKey: null,
    });
  });

  it('400, 401, 403, 404, 503 (not retried)', async () => {
    const pool = await newPool('patch-err');
    await expectUpstreamError(patchNodePool(admin(), pool.id, { name: 'renamed' } as never), {
      code: 'BAD_USER_INPUT',
      status: 400,
      operation: 'patch_nodepool',
    });
    await expectUpstreamError(patchNodePool(anonymous(), pool.id, { labelValue: 'x' }), {
      code: 'UNAUTHENTICATED',
      status: 401,
    });
    await expectUpstreamError(patchNodePool(viewer(), pool.id, { labelValue: 'x' }), {
      code: 'FORBIDDEN',
      status: 403,
    });
    await expectUpstreamError(patchNodePool(admin(), '999999', { labelValue: 'x' }), {
      code: 'NOT_FOUND',
      status: 404,
    });
    stack.sim.clearRequests();
    stack.sim.faults.failNext(1, 503, { operation: 'patch_nodepool' });
    await expectUpstreamError(patchNodePool(admin(), pool.id, { labelValue: 'x' }), {
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      upstreamMessage: UNAVAILABLE,
    });
    expect(stack.sim.countRequests({ operation: 'patch_nodepool' })).toBe(1);
  });
});

describe('deleteNodePool (DELETE /api/v1/node-pools/{nodepoolId})', () => {
  it('accepts the deletion', async () => {
    const pool = await newPool('delete');
    const result = await deleteNodePool(admin(), pool.id);
    expect([202, 204]).toContain(result.status);
    if (result.status === 202) expect(result.message).toBe('Request has been accepted.');
    else expect(result.message).toBeNull();
  });

  it('400 for the default pool, 401, 403, 404, 503', async () => {
    const pool = await newPool('delete-err');
    await expectUpstreamError(deleteNodePool(admin(), defaultPool.id), {
      code: 'BAD_USER_INPUT',
      status: 400,
      operation: 'delete_nodepool',
    });
    await expectUpstreamError(deleteNodePool(anonymous(), pool.id), { code: 'UNAUTHENTICATED', status: 401 });
    await expectUpstreamError(deleteNodePool(viewer(), pool.id), {
      code: 'FORBIDDEN',
      status: 403,
      upstreamMessage: FORBIDDEN,
    });
    await expectUpstreamError(deleteNodePool(admin(), '999999'), { code: 'NOT_FOUND', status: 404 });
    await injected(
      'delete_nodepool',
      503,
      'UPSTREAM_UNAVAILABLE',
      (c) => deleteNodePool(c, pool.id),
      UNAVAILABLE,
    );
  });
});

describe('getNodePoolMetrics (GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics)', () => {
  it('returns normalized measurements', async () => {
    const metrics = await getNodePoolMetrics(viewer(), metricsParams());
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

  it('400, 401, 403, 404, 503', async () => {
    await expectUpstreamError(
      getNodePoolMetrics(
        admin(),
        metricsParams({ start: '2025-02-10T12:00:00Z', end: '2025-02-10T10:00:00Z' }),
      ),
      { code: 'BAD_USER_INPUT', status: 400, operation: 'get_nodepool_metrics' },
    );
    await expectUpstreamError(getNodePoolMetrics(anonymous(), metricsParams()), {
      code: 'UNAUTHENTICATED',
      status: 401,
      upstreamMessage: UNAUTHORIZED,
    });
    await injected('get_nodepool_metrics', 403, 'FORBIDDEN', (c) => getNodePoolMetrics(c, metricsParams()));
    await expectUpstreamError(getNodePoolMetrics(admin(), metricsParams({ nodepoolName: 'no-such-pool' })), {
      code: 'NOT_FOUND',
      status: 404,
    });
    await injected('get_nodepool_metrics', 503, 'UPSTREAM_UNAVAILABLE', (c) =>
      getNodePoolMetrics(c, metricsParams()),
    );
  });
});

describe('getNodePoolMetricsCsv (same endpoint, Accept: text/csv)', () => {
  it('returns the CSV text', async () => {
    const csv = await getNodePoolMetricsCsv(admin(), metricsParams());
    expect(typeof csv).toBe('string');
    expect(csv.split('\n').length).toBeGreaterThan(1);
    expect(csv).toContain('GPU_UTILIZATION');
    expect(stack.sim.requests.at(-1)?.accept).toBe('text/csv');
  });

  it('maps errors like the JSON variant', async () => {
    await expectUpstreamError(getNodePoolMetricsCsv(anonymous(), metricsParams()), {
      code: 'UNAUTHENTICATED',
      status: 401,
      operation: 'get_nodepool_metrics',
    });
    await expectUpstreamError(getNodePoolMetricsCsv(admin(), metricsParams({ nodepoolName: 'nope' })), {
      code: 'NOT_FOUND',
      status: 404,
    });
  });
});

describe('legacyListNodePools (GET /v1/k8s/clusters/{clusterId}/node-pools, deprecated)', () => {
  it('lists the same pools with integer ids', async () => {
    const legacy = await legacyListNodePools(admin(), PROD);
    const match = legacy.find((p) => p.name === 'a100');
    expect(match).toMatchObject({ id: Number(a100.id), clusterId: PROD, phase: a100.phase });
    expect(Array.isArray(match?.nodes)).toBe(true);
    expect(match?.nodes).toEqual(a100.status?.nodes);
  });

  it('401, 403, 404, 503', async () => {
    await expectUpstreamError(legacyListNodePools(anonymous(), PROD), {
      code: 'UNAUTHENTICATED',
      status: 401,
      operation: 'getNodePools',
    });
    await injected('getNodePools', 403, 'FORBIDDEN', (c) => legacyListNodePools(c, PROD));
    await expectUpstreamError(legacyListNodePools(admin(), '00000000-0000-4000-8000-000000000000'), {
      code: 'NOT_FOUND',
      status: 404,
      operation: 'getNodePools',
    });
    await injected('getNodePools', 503, 'UPSTREAM_UNAVAILABLE', (c) => legacyListNodePools(c, PROD));
  });
});

describe('legacyCreateNodePool (POST /v1/k8s/clusters/{clusterId}/node-pools, deprecated)', () => {
  it('creates a pool; answers 201 with the pool or no body', async () => {
    const name = uniqueName('legacy');
    const created = await legacyCreateNodePool(admin(), PROD, { name, labelKey: 'k', labelValue: 'v' });
    if (created !== null) expect(created).toMatchObject({ name, clusterId: PROD });
    const listed = await listNodePools(admin(), { filterBy: [`name==${name}`] });
    expect(listed).toHaveLength(1);
  });

  it('400, 409, 401, 403, 404', async () => {
    await expectUpstreamError(
      legacyCreateNodePool(admin(), PROD, { name: 'Bad Name', labelKey: 'k', labelValue: 'v' }),
      {
        code: 'BAD_USER_INPUT',
        status: 400,
        operation: 'createNodePool',
      },
    );
    await expectUpstreamError(
      legacyCreateNodePool(admin(), PROD, { name: 'a100', labelKey: 'k', labelValue: 'v' }),
      {
        code: 'CONFLICT',
        status: 409,
        operation: 'createNodePool',
      },
    );
    const body = { name: uniqueName('legacy-denied'), labelKey: 'k', labelValue: 'v' };
    await expectUpstreamError(legacyCreateNodePool(anonymous(), PROD, body), { code: 'UNAUTHENTICATED' });
    await expectUpstreamError(legacyCreateNodePool(viewer(), PROD, body), { code: 'FORBIDDEN', status: 403 });
    await expectUpstreamError(legacyCreateNodePool(admin(), '00000000-0000-4000-8000-000000000000', body), {
      code: 'NOT_FOUND',
      status: 404,
    });
  });
});

describe('legacyUpdateNodePool (PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}, deprecated)', () => {
  it('is accepted and visible through the current API', async () => {
    const pool = await newPool('legacy-put');
    await legacyUpdateNodePool(admin(), PROD, Number(pool.id), {
      labelKey: 'node-pool-type',
      labelValue: 'h100',
      placementStrategy: { cpu: 'spread', gpu: 'spread' },
    });
    expect(stack.sim.requests.at(-1)).toMatchObject({ operation: 'updateNodePool', status: 202 });
    await expect(getNodePool(admin(), pool.id)).resolves.toMatchObject({ labelValue: 'h100' });
  });

  it('403, 404, 503', async () => {
    const pool = await newPool('legacy-put-err');
    await expectUpstreamError(legacyUpdateNodePool(viewer(), PROD, Number(pool.id), { labelValue: 'x' }), {
      code: 'FORBIDDEN',
      status: 403,
      operation: 'updateNodePool',
    });
    await expectUpstreamError(legacyUpdateNodePool(admin(), PROD, 999999, { labelValue: 'x' }), {
      code: 'NOT_FOUND',
      status: 404,
    });
    await injected('updateNodePool', 503, 'UPSTREAM_UNAVAILABLE', (c) =>
      legacyUpdateNodePool(c, PROD, Number(pool.id), { labelValue: 'x' }),
    );
  });
});

describe('legacyUpdateNodePoolLabels (PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}/labels, deprecated)', () => {
  it('is accepted and visible through the current API', async () => {
    const pool = await newPool('legacy-labels');
    await legacyUpdateNodePoolLabels(admin(), PROD, Number(pool.id), {
      labelKey: 'gpu-type',
      labelValue: 'v100',
    });
    expect(stack.sim.requests.at(-1)).toMatchObject({ operation: 'updateNodePoolLabels', status: 202 });
    await expect(getNodePool(admin(), pool.id)).resolves.toMatchObject({
      labelKey: 'gpu-type',
      labelValue: 'v100',
    });
  });

  it('401, 403, 404, 503', async () => {
    const pool = await newPool('legacy-labels-err');
    const body = { labelKey: 'k', labelValue: 'v' };
    await expectUpstreamError(legacyUpdateNodePoolLabels(anonymous(), PROD, Number(pool.id), body), {
      code: 'UNAUTHENTICATED',
    });
    await expectUpstreamError(legacyUpdateNodePoolLabels(viewer(), PROD, Number(pool.id), body), {
      code: 'FORBIDDEN',
      status: 403,
      operation: 'updateNodePoolLabels',
    });
    await expectUpstreamError(legacyUpdateNodePoolLabels(admin(), PROD, 999999, body), {
      code: 'NOT_FOUND',
      status: 404,
    });
    await injected('updateNodePoolLabels', 503, 'UPSTREAM_UNAVAILABLE', (c) =>
      legacyUpdateNodePoolLabels(c, PROD, Number(pool.id), body),
    );
  });
});

describe('legacyDeleteNodePool (DELETE /v1/k8s/clusters/{clusterId}/node-pools/{id}, deprecated)', () => {
  it('is accepted', async () => {
    const pool = await newPool('legacy-delete');
    await legacyDeleteNodePool(admin(), PROD, Number(pool.id));
    expect(stack.sim.requests.at(-1)).toMatchObject({ operation: 'deleteNodePool', status: 202 });
  });

  it('400 for the default pool, 403, 404, 503', async () => {
    const pool = await newPool('legacy-delete-err');
    await expectUpstreamError(legacyDeleteNodePool(admin(), PROD, Number(defaultPool.id)), {
      code: 'BAD_USER_INPUT',
      status: 400,
      operation: 'deleteNodePool',
    });
    await expectUpstreamError(legacyDeleteNodePool(viewer(), PROD, Number(pool.id)), {
      code: 'FORBIDDEN',
      status: 403,
    });
    await expectUpstreamError(legacyDeleteNodePool(admin(), PROD, 999999), {
      code: 'NOT_FOUND',
      status: 404,
    });
    await injected('deleteNodePool', 503, 'UPSTREAM_UNAVAILABLE', (c) =>
      legacyDeleteNodePool(c, PROD, Number(pool.id)),
    );
  });
});

describe('bindNodePoolsApi', () => {
  it('binds every operation to the context', async () => {
    const api = bindNodePoolsApi(admin());
    expect(Object.keys(api)).toHaveLength(14);
    await expect(api.getNodePool(a100.id)).resolves.toMatchObject({ name: 'a100' });
    await expect(api.countNodePools()).resolves.toBeGreaterThan(0);
    await expectUpstreamError(bindNodePoolsApi(viewer()).deleteNodePool(a100.id), { code: 'FORBIDDEN' });
    expect(stack.sim.requests.map((r) => r.token)).toEqual([ADMIN, ADMIN, VIEWER]);
  });
});

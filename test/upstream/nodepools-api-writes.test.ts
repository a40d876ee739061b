import { describe, expect, it } from 'vitest';
import {
  createNodePool,
  deleteNodePool,
  patchNodePool,
  updateNodePool,
} from '../../src/upstream/nodepools-api.js';
import {
  itClassifiesFailures,
  PROD,
  poolOfSuite,
  UNAVAILABLE,
  useApiFixture,
  writeRefusals,
} from './nodepools-api-fixture.js';
import { uniqueName } from './support.js';

const api = useApiFixture();

describe('createNodePool (POST /api/v1/node-pools)', () => {
  it('creates a pool in phase Creating', async () => {
    const name = uniqueName('created');
    const pool = await createNodePool(api.as('admin'), {
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
    expect(api.stack.sim.requests.at(-1)?.body).toMatchObject({ name, clusterId: PROD });
  });

  const base = { clusterId: PROD, labelKey: 'k', labelValue: 'v' };
  const body = { ...base, name: uniqueName('denied') };
  itClassifiesFailures(api, 'create_nodepool', [
    {
      when: '400 for an invalid name',
      call: (c) => createNodePool(c, { ...base, name: 'Not_Valid' }),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
      upstreamMessageContains: 'name',
    },
    {
      when: '409 for a duplicate name',
      call: (c) => createNodePool(c, { ...base, name: 'a100' }),
      expected: { code: 'CONFLICT', status: 409 },
      upstreamMessageContains: 'already exists',
    },
    ...writeRefusals((c) => createNodePool(c, body)),
    {
      when: '503 from Run:ai, not retried',
      as: 'admin',
      inject: 503,
      call: (c) => createNodePool(c, body),
      expected: { code: 'UPSTREAM_UNAVAILABLE', status: 503 },
    },
  ]);
});

describe('updateNodePool (PUT /api/v1/node-pools/{nodepoolId})', () => {
  it('replaces the updatable fields', async () => {
    const pool = await api.newPool('put');
    const updated = await updateNodePool(api.as('admin'), pool.id, {
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

  const pool = poolOfSuite(api, 'put-err');
  itClassifiesFailures(api, 'update_nodepool', [
    {
      when: '400 for swap settings without swap',
      call: (c) =>
        updateNodePool(c, pool.id, {
          gpuResourceOptimization: {
            swapEnabled: false,
            cpuSwapMemorySize: '10G',
            reservedGpuMemoryForSwapOperations: null,
            nodeLevelSchedulerEnabled: null,
          },
        }),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
    },
    ...writeRefusals((c) => updateNodePool(c, pool.id, { labelValue: 'x' })),
    {
      when: '404 for an unknown id',
      call: (c) => updateNodePool(c, '999999', { labelValue: 'x' }),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    {
      when: '500 from Run:ai',
      inject: 500,
      call: (c) => updateNodePool(c, pool.id, { labelValue: 'x' }),
      expected: { code: 'UPSTREAM_ERROR', status: 500 },
    },
    {
      when: '503 from Run:ai',
      inject: 503,
      call: (c) => updateNodePool(c, pool.id, { labelValue: 'x' }),
      expected: { code: 'UPSTREAM_UNAVAILABLE', status: 503 },
    },
  ]);
});

describe('patchNodePool (PATCH /api/v1/node-pools/{nodepoolId})', () => {
  it('changes only the given fields; explicit null goes out as null', async () => {
    const pool = await api.newPool('patch');
    const patched = await patchNodePool(api.as('admin'), pool.id, {
      placementStrategy: { gpu: 'spread' },
      gpuNetworkAccelerationLabelKey: null,
    });
    expect(patched.placementStrategy?.gpu).toBe('spread');
    expect(patched.labelValue).toBe(pool.labelValue);
    expect(api.stack.sim.requests.at(-1)?.body).toEqual({
      placementStrategy: { gpu: 'spread' },
      gpuNetworkAccelerationLabelKey: null,
    });
  });

  const pool = poolOfSuite(api, 'patch-err');
  itClassifiesFailures(api, 'patch_nodepool', [
    {
      when: '400 for a field PATCH may not change',
      call: (c) => patchNodePool(c, pool.id, { name: 'renamed' } as never),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
    },
    ...writeRefusals((c) => patchNodePool(c, pool.id, { labelValue: 'x' })),
    {
      when: '404 for an unknown id',
      call: (c) => patchNodePool(c, '999999', { labelValue: 'x' }),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    {
      when: '503 from Run:ai, not retried',
      as: 'admin',
      inject: 503,
      call: (c) => patchNodePool(c, pool.id, { labelValue: 'x' }),
      expected: { code: 'UPSTREAM_UNAVAILABLE', status: 503, upstreamMessage: UNAVAILABLE },
    },
  ]);
});

describe('deleteNodePool (DELETE /api/v1/node-pools/{nodepoolId})', () => {
  it('accepts the deletion: 202 with its message', async () => {
    const pool = await api.newPool('delete');
    const result = await deleteNodePool(api.as('admin'), pool.id);
    // The simulator answers a deletion with 202 and `{ code, message }` (Run:ai may also answer 204).
    expect(result.status).toBe(202);
    expect(result.message).toBe('Request has been accepted.');
  });

  const pool = poolOfSuite(api, 'delete-err');
  itClassifiesFailures(api, 'delete_nodepool', [
    {
      when: '400 for the default pool',
      call: (c) => deleteNodePool(c, api.defaultPool.id),
      expected: { code: 'BAD_USER_INPUT', status: 400 },
    },
    ...writeRefusals((c) => deleteNodePool(c, pool.id)),
    {
      when: '404 for an unknown id',
      call: (c) => deleteNodePool(c, '999999'),
      expected: { code: 'NOT_FOUND', status: 404 },
    },
    {
      when: '503 from Run:ai',
      inject: 503,
      call: (c) => deleteNodePool(c, pool.id),
      expected: { code: 'UPSTREAM_UNAVAILABLE', status: 503, upstreamMessage: UNAVAILABLE },
    },
  ]);
});

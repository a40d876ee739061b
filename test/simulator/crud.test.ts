import { SEED_CLUSTERS } from 'runai-simulator';
import type { components } from 'runai-simulator/openapi-types';
import { describe, expect, it } from 'vitest';
import { call, startSimulator } from './helpers.js';

type Nodepool = components['schemas']['Nodepool'];

const newPool = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  labelKey: 'node-pool-type',
  labelValue: 'a100',
  clusterId: SEED_CLUSTERS.prod.id,
  ...extra,
});

describe('simulator: node-pool CRUD', () => {
  it('lists the demo seed of tenant 1001 as {nodepools} in id order', async () => {
    const sim = await startSimulator();
    const res = await call<{ nodepools: Nodepool[] }>(sim, '/api/v1/node-pools');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const pools = res.body.nodepools;
    expect(pools).toHaveLength(12);
    expect(pools.map((p) => Number(p.id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(pools.every((p) => p.tenantId === 1001 && typeof p.id === 'string')).toBe(true);
    expect(pools.filter((p) => p.isDefault).map((p) => p.clusterName)).toEqual([
      'prod-cluster',
      'research-cluster',
    ]);
    expect(new Set(pools.map((p) => p.phase))).toEqual(new Set(['Ready', 'Empty', 'Unschedulable']));
  });

  it('counts pools as {count}', async () => {
    const sim = await startSimulator();
    const res = await call(sim, '/api/v1/node-pools/count');
    expect(res).toMatchObject({ status: 200, body: { count: 12 } });
  });

  it('gets one pool by its string id, with status nodes matching its label', async () => {
    const sim = await startSimulator();
    const res = await call<Nodepool>(sim, '/api/v1/node-pools/2');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: '2',
      name: 'a100',
      clusterId: SEED_CLUSTERS.prod.id,
      clusterName: 'prod-cluster',
      phase: 'Ready',
      status: { nodes: ['prod-gpu-a100-1', 'prod-gpu-a100-2', 'prod-gpu-a100-3', 'prod-gpu-a100-4'] },
      gpuResourceOptimization: { swapEnabled: true, cpuSwapMemorySize: '100G' },
    });
  });

  it.each([
    ['an unknown', '999'],
    ['a non-numeric', 'abc'],
  ])('answers 404 {code,message} for %s pool id (%s)', async (_kind, id) => {
    const sim = await startSimulator();
    const res = await call(sim, `/api/v1/node-pools/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 404, message: expect.any(String) });
  });

  it('creates a pool: 201 in phase Creating with the next shared id and spec defaults', async () => {
    const sim = await startSimulator();
    const res = await call<Nodepool>(sim, '/api/v1/node-pools', { method: 'POST', body: newPool('fresh') });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: '16',
      name: 'fresh',
      phase: 'Creating',
      isDefault: false,
      tenantId: 1001,
      overProvisioningRatio: 1,
      placementStrategy: { cpu: 'binpack', gpu: 'binpack' },
      gpuNetworkAccelerationDetection: 'Auto',
      gpuResourceOptimization: { swapEnabled: false, nodeLevelSchedulerEnabled: false },
      deletedAt: null,
    });
    expect((await call(sim, '/api/v1/node-pools/count')).body).toEqual({ count: 13 });
  });

  it('refuses a duplicate name in the same cluster with 409 but allows it in another cluster', async () => {
    const sim = await startSimulator();
    const dup = await call(sim, '/api/v1/node-pools', { method: 'POST', body: newPool('a100') });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 409, message: expect.stringContaining('a100') });
    const elsewhere = await call(sim, '/api/v1/node-pools', {
      method: 'POST',
      body: newPool('a100', { clusterId: SEED_CLUSTERS.research.id }),
    });
    expect(elsewhere.status).toBe(201);
  });

  it('refuses a pool in a cluster the tenant does not have with 400', async () => {
    const sim = await startSimulator();
    const res = await call(sim, '/api/v1/node-pools', {
      method: 'POST',
      body: newPool('x', { clusterId: SEED_CLUSTERS.partner.id }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400, message: expect.stringContaining('not found') });
  });

  it('PUT replaces every updatable field (omitted ones back to defaults) and answers 200 Updating', async () => {
    const sim = await startSimulator();
    const res = await call<Nodepool>(sim, '/api/v1/node-pools/2', {
      method: 'PUT',
      body: { labelKey: 'node-pool-type', labelValue: 'a100', placementStrategy: { cpu: 'spread' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      phase: 'Updating',
      placementStrategy: { cpu: 'spread', gpu: 'binpack' },
      gpuResourceOptimization: { swapEnabled: false, cpuSwapMemorySize: null },
      updatedBy: 'demo-admin@tenant-1001.example.com',
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse('2025-03-01T09:30:00.000Z'));
  });

  it('PATCH changes only the given fields and an explicit null resets one to its default', async () => {
    const sim = await startSimulator();
    const res = await call<Nodepool>(sim, '/api/v1/node-pools/3', {
      method: 'PATCH',
      body: { gpuNetworkAccelerationDetection: null, placementStrategy: { gpu: 'spread' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'h100',
      phase: 'Updating',
      gpuNetworkAccelerationDetection: 'Auto',
      placementStrategy: { cpu: 'binpack', gpu: 'spread' },
      gpuResourceOptimization: { nodeLevelSchedulerEnabled: true },
    });
  });

  it('DELETE answers 202 {code,message} and the pool goes Deleting with deletedAt/deletedBy', async () => {
    const sim = await startSimulator({ delays: { delete: 60_000 } });
    const res = await call(sim, '/api/v1/node-pools/4', { method: 'DELETE' });
    expect(res).toMatchObject({ status: 202, body: { code: 202, message: 'Request has been accepted.' } });
    const after = await call<Nodepool>(sim, '/api/v1/node-pools/4');
    expect(after.body).toMatchObject({ phase: 'Deleting', deletedBy: 'demo-admin@tenant-1001.example.com' });
    expect(after.body.deletedAt).toEqual(expect.any(String));
  });

  it('refuses to delete the default pool with 400', async () => {
    const sim = await startSimulator();
    const res = await call(sim, '/api/v1/node-pools/1', { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 400, message: expect.stringContaining('default') });
  });
});

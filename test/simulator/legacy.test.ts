import { SEED_CLUSTERS } from 'runai-simulator';
import type { components } from 'runai-simulator/openapi-types';
import { describe, expect, it } from 'vitest';
import { call, startSimulator } from './helpers.js';

type LegacyPool = components['schemas']['NodePool1'];
type Nodepool = components['schemas']['Nodepool'];
const base = `/v1/k8s/clusters/${SEED_CLUSTERS.prod.id}/node-pools`;
const ACCEPTED = { code: 202, message: 'Request has been accepted.' };

describe('simulator: deprecated /v1/k8s endpoints', () => {
  it('lists the cluster pools in the legacy shape (integer id, status, JSON-string nodes)', async () => {
    const sim = await startSimulator();
    const res = await call<LegacyPool[]>(sim, base);
    expect(res.status).toBe(200);
    expect(res.body.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const a100 = res.body[1] as LegacyPool & Record<string, unknown>;
    expect(a100).toMatchObject({ id: 2, name: 'a100', status: 'Ready', statusMessage: '' });
    expect(JSON.parse(a100.nodes ?? '')).toHaveLength(4);
    expect(a100['tenantId']).toBeUndefined();
    expect(a100['clusterName']).toBeUndefined();
    expect(
      (await call(sim, base.replace(SEED_CLUSTERS.prod.id, '00000000-0000-4000-8000-000000000000'))).status,
    ).toBe(404);
  });

  it('creates a pool (201, legacy shape) with an id shared with the new API, and 409 on a duplicate', async () => {
    const sim = await startSimulator();
    const res = await call<LegacyPool>(sim, base, {
      method: 'POST',
      body: {
        name: 'legacy-pool',
        labelKey: 'node-pool-type',
        labelValue: 't4',
        placementStrategy: { cpu: 'spread' },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 16, name: 'legacy-pool', status: 'Creating' });
    expect((await call<Nodepool>(sim, '/api/v1/node-pools/16')).body).toMatchObject({
      name: 'legacy-pool',
      placementStrategy: { cpu: 'spread', gpu: 'binpack' },
    });
    const dup = await call(sim, base, {
      method: 'POST',
      body: { name: 'legacy-pool', labelKey: 'a', labelValue: 'b' },
    });
    expect(dup).toMatchObject({ status: 409, body: { code: 409 } });
  });

  it('updates a pool with PUT {id} (202) and its labels with PUT {id}/labels (202)', async () => {
    const sim = await startSimulator();
    const put = await call(sim, `${base}/4`, { method: 'PUT', body: { overProvisioningRatio: 2 } });
    expect(put).toMatchObject({ status: 202, body: ACCEPTED });
    const labels = await call(sim, `${base}/4/labels`, { method: 'PUT', body: { labelValue: 'l4' } });
    expect(labels).toMatchObject({ status: 202, body: ACCEPTED });
    expect((await call<Nodepool>(sim, '/api/v1/node-pools/4')).body).toMatchObject({
      overProvisioningRatio: 2,
      labelValue: 'l4',
      phase: 'Updating',
      placementStrategy: { cpu: 'spread', gpu: 'spread' },
    });
  });

  it('deletes a pool (202) but not the default pool (400)', async () => {
    const sim = await startSimulator();
    expect(await call(sim, `${base}/5`, { method: 'DELETE' })).toMatchObject({ status: 202, body: ACCEPTED });
    expect((await call<Nodepool>(sim, '/api/v1/node-pools/5')).body.phase).toBe('Deleting');
    expect((await call(sim, `${base}/1`, { method: 'DELETE' })).status).toBe(400);
  });

  it('answers 404 {code,message} for an unknown id or a pool of another cluster', async () => {
    const sim = await startSimulator();
    expect(await call(sim, `${base}/999`, { method: 'DELETE' })).toMatchObject({
      status: 404,
      body: { code: 404 },
    });
    expect((await call(sim, `${base}/9/labels`, { method: 'PUT', body: { labelKey: 'x' } })).status).toBe(
      404,
    );
    expect((await call(sim, `${base}/abc`, { method: 'DELETE' })).status).toBe(400);
  });
});

import { SEED_CLUSTERS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { call, startSimulator } from './helpers.js';

const metricsPath = (query: string, cluster: string = SEED_CLUSTERS.prod.id) =>
  `/api/v1/clusters/${cluster}/nodepools/a100/metrics?${query}`;
const RANGE = 'start=2025-01-01T00:00:00Z&end=2025-01-01T01:00:00Z';

async function expect400(path: string, init: Parameters<typeof call>[2], fragment: string | RegExp) {
  const sim = await startSimulator();
  const res = await call<{ code: number; message: string; details?: string }>(sim, path, init);
  expect(res.status, res.text).toBe(400);
  expect(res.body.code).toBe(400);
  expect(res.body.message).toMatch(fragment);
}

describe('simulator: request validation against the spec', () => {
  it('rejects limit=501 with "limit must be <= 500"', async () => {
    await expect400('/api/v1/node-pools?limit=501', {}, 'limit must be <= 500');
  });

  it('rejects a non-integer limit and a negative offset', async () => {
    await expect400('/api/v1/node-pools?limit=ten', {}, 'limit must be integer');
    await expect400('/api/v1/node-pools?offset=-1', {}, 'offset must be >= 0');
  });

  it('rejects a sortBy outside the spec enum', async () => {
    await expect400('/api/v1/node-pools?sortBy=labelKey', {}, /sortBy.*must be one of/);
  });

  it('rejects a filterBy on an unknown field (the spec pattern)', async () => {
    await expect400(
      `/api/v1/node-pools?filterBy=${encodeURIComponent('labelKey==x')}`,
      {},
      /filterBy\[0\].*pattern/,
    );
  });

  it('rejects date filters with other operators or a bad date, and booleans with other values', async () => {
    await expect400(
      `/api/v1/node-pools?filterBy=${encodeURIComponent('createdAt=@2025')}`,
      {},
      'only ==, !=, <= and >=',
    );
    await expect400(
      `/api/v1/node-pools?filterBy=${encodeURIComponent('updatedAt>=yesterday')}`,
      {},
      'ISO 8601',
    );
    await expect400(
      `/api/v1/node-pools/count?filterBy=${encodeURIComponent('swapEnabled==yes')}`,
      {},
      'true or false',
    );
    await expect400(
      `/api/v1/node-pools/count?filterBy=${encodeURIComponent('swapEnabled>=true')}`,
      {},
      'only == and !=',
    );
  });

  it('rejects a bad cluster UUID', async () => {
    await expect400(
      metricsPath(`${RANGE}&metricType=GPU_UTILIZATION`, 'not-a-uuid'),
      {},
      /clusterUuid.*uuid/,
    );
  });

  it('rejects an unknown metricType, a missing start and start >= end', async () => {
    await expect400(
      metricsPath(`${RANGE}&metricType=GPU_UTILIZATION,FOO`),
      {},
      /metricType\[1\].*must be one of/,
    );
    await expect400(
      metricsPath('end=2025-01-01T01:00:00Z&metricType=TOTAL_GPU'),
      {},
      "required property 'start'",
    );
    await expect400(
      metricsPath('start=2025-01-01T01:00:00Z&end=2025-01-01T00:00:00Z&metricType=TOTAL_GPU'),
      {},
      'start must be before end',
    );
    await expect400(
      metricsPath(`${RANGE}&metricType=TOTAL_GPU&numberOfSamples=1001`),
      {},
      'numberOfSamples must be <= 1000',
    );
  });

  it('rejects bodies that break the schema: missing field, wrong type, bad enum', async () => {
    const post = (body: unknown) => ({ method: 'POST', body });
    await expect400(
      '/api/v1/node-pools',
      post({ name: 'x', labelKey: 'k', labelValue: 'v' }),
      "required property 'clusterId'",
    );
    await expect400(
      '/api/v1/node-pools',
      post({
        name: 'x',
        labelKey: 'k',
        labelValue: 'v',
        clusterId: SEED_CLUSTERS.prod.id,
        overProvisioningRatio: 9,
      }),
      'overProvisioningRatio must be <= 5',
    );
    await expect400(
      '/api/v1/node-pools/2',
      { method: 'PATCH', body: { placementStrategy: { cpu: 'random' } } },
      /placementStrategy\.cpu/,
    );
    await expect400('/api/v1/node-pools/2', { method: 'PATCH', body: '{"labelKey": ' }, 'not valid JSON');
  });

  it('rejects pool names that break the naming rule', async () => {
    const body = { name: 'Bad_Name', labelKey: 'k', labelValue: 'v', clusterId: SEED_CLUSTERS.prod.id };
    await expect400('/api/v1/node-pools', { method: 'POST', body }, 'lowercase letters');
  });

  it('rejects swap sizes without swap, and name/clusterId in updates', async () => {
    await expect400(
      '/api/v1/node-pools/3',
      {
        method: 'PATCH',
        body: { gpuResourceOptimization: { swapEnabled: false, cpuSwapMemorySize: '10G' } },
      },
      'only allowed when swapEnabled is true',
    );
    await expect400(
      '/api/v1/node-pools/3',
      { method: 'PUT', body: { clusterId: SEED_CLUSTERS.research.id } },
      'cannot be changed',
    );
    await expect400(
      '/api/v1/node-pools/3',
      { method: 'PATCH', body: { name: 'renamed' } },
      'cannot be changed',
    );
  });

  it('answers 404 for an unknown path and 405 for a known path with the wrong method', async () => {
    const sim = await startSimulator();
    const unknown = await call(sim, '/api/v1/nodes');
    expect(unknown).toMatchObject({ status: 404, body: { code: 404, message: expect.any(String) } });
    const wrong = await call(sim, '/api/v1/node-pools/count', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });
});

import { SEED_CLUSTERS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import {
  countNodePools,
  getNodePool,
  getNodePoolMetrics,
  listNodePools,
  patchNodePool,
} from '../../src/upstream/nodepools-api.js';
import { useApiFixture } from './nodepools-api-fixture.js';
import { ADMIN, expectUpstreamError } from './support.js';

const api = useApiFixture();

describe('request encoding', () => {
  it('sends the bearer token and asks for JSON', async () => {
    await countNodePools(api.as('admin'));
    const [req] = api.stack.sim.requests;
    expect(req).toMatchObject({
      operation: 'count_nodepools',
      method: 'GET',
      token: ADMIN,
      accept: 'application/json',
    });
  });

  it('sends no Authorization header without a token', async () => {
    await expectUpstreamError(countNodePools(api.as('anonymous')), { code: 'UNAUTHENTICATED' });
    expect(api.stack.sim.requests[0]?.token).toBeUndefined();
  });

  it('sends filterBy as ONE comma-joined, percent-encoded value', async () => {
    const pools = await listNodePools(api.as('admin'), {
      filterBy: ['name==a100', 'phase==Ready'],
      limit: 10,
    });
    expect(pools.every((p) => p.name === 'a100' && p.phase === 'Ready')).toBe(true);
    const [req] = api.stack.sim.requests;
    expect(req?.rawQuery).toBe('filterBy=name%3D%3Da100%2Cphase%3D%3DReady&limit=10');
    expect(req?.query['filterBy']).toBe('name==a100,phase==Ready');
  });

  it('omits undefined parameters and empty lists', async () => {
    await listNodePools(api.as('admin'), { filterBy: [], sortBy: undefined });
    expect(api.stack.sim.requests[0]?.rawQuery).toBe('');
  });

  it('sends metricType as ONE comma-joined value and start/end as ISO strings', async () => {
    await getNodePoolMetrics(api.as('admin'), {
      clusterId: SEED_CLUSTERS.prod.id,
      nodepoolName: 'a100',
      start: new Date('2025-02-10T10:00:00Z'),
      end: '2025-02-10T12:00:00.000Z',
      numberOfSamples: 5,
      metricTypes: ['GPU_UTILIZATION', 'TOTAL_GPU'],
    });
    const [req] = api.stack.sim.requests;
    expect(req?.rawQuery).toContain('metricType=GPU_UTILIZATION%2CTOTAL_GPU');
    expect(req?.rawQuery).toContain('start=2025-02-10T10%3A00%3A00.000Z');
    expect(req?.query).toMatchObject({
      metricType: 'GPU_UTILIZATION,TOTAL_GPU',
      start: '2025-02-10T10:00:00.000Z',
      end: '2025-02-10T12:00:00.000Z',
      numberOfSamples: '5',
    });
  });

  it('path-encodes ids', async () => {
    await expectUpstreamError(getNodePool(api.as('admin'), '../count'), { code: 'NOT_FOUND' });
    expect(api.stack.sim.requests[0]?.path).toBe('/api/v1/node-pools/..%2Fcount');
  });

  it('sends a PATCH body exactly as given: explicit nulls stay, omitted keys stay absent', async () => {
    const { id } = await api.newPool('http');
    await patchNodePool(api.as('admin'), id, { gpuNetworkAccelerationLabelKey: null });
    const [req] = api.stack.sim.requests;
    expect(req?.body).toEqual({ gpuNetworkAccelerationLabelKey: null });
  });
});

import { SEED_CLUSTERS } from 'runai-simulator';
import type { components } from 'runai-simulator/openapi-types';
import { describe, expect, it } from 'vitest';
import { call, startSimulator } from './helpers.js';

type Nodepool = components['schemas']['Nodepool'];

async function list(path: string): Promise<Nodepool[]> {
  const sim = await startSimulator();
  const res = await call<{ nodepools: Nodepool[] }>(sim, path);
  expect(res.status, res.text).toBe(200);
  return res.body.nodepools;
}

async function names(path: string): Promise<string[]> {
  return (await list(path)).map((p) => p.name);
}

const q = (...filters: string[]) => `/api/v1/node-pools?filterBy=${encodeURIComponent(filters.join(','))}`;

describe('simulator: filterBy', () => {
  it('== matches exactly and case-sensitively', async () => {
    expect(await names(q('name==a100'))).toEqual(['a100']);
    expect(await names(q('name==A100'))).toEqual([]);
  });

  it('!= excludes matching pools (phase is the current phase)', async () => {
    expect(await names(q('phase!=Ready'))).toEqual([
      'l4-batch',
      'mi300',
      'gh200-preview',
      'b200-experimental',
    ]);
  });

  it('=@ contains and !@ does not contain', async () => {
    expect(await names(q('name=@100'))).toEqual(['a100', 'h100', 'research-a100', 'v100-legacy']);
    expect(await names(q('name!@-'))).toEqual(['default', 'a100', 'h100', 'mi300', 'default']);
  });

  it('=^ starts with and =$ ends with', async () => {
    expect(await names(q('name=^a1'))).toEqual(['a100', 'a10-dev']);
    expect(await names(q('name=$-dev'))).toEqual(['a10-dev']);
  });

  it('<= and >= compare strings in ordinal order', async () => {
    expect(await names(q('name<=b'))).toEqual(['a100', 'a10-dev']);
    expect(await names(q('name>=t'))).toEqual(['t4-inference', 'v100-legacy']);
  });

  it('compares dates as instants (==, <=, >=, !=)', async () => {
    expect(await names(q('createdAt>=2025-05-01T00:00:00Z'))).toEqual([
      'mi300',
      'gh200-preview',
      'b200-experimental',
    ]);
    expect(await names(q('createdAt<=2024-12-31T23:59:59.999Z'))).toEqual([
      'default',
      'default',
      'v100-legacy',
    ]);
    expect(await names(q('createdAt==2025-02-10T13:09:18.211+01:00'))).toEqual(['a100']);
    expect(await list(q('createdAt!=2025-02-10T12:09:18.211Z'))).toHaveLength(11);
  });

  it('filters booleans with == and != (gpuResourceOptimization and status fields)', async () => {
    expect(await names(q('swapEnabled==true'))).toEqual(['a100', 'a10-dev']);
    expect(await names(q('nodeLevelSchedulerEnabled==true'))).toEqual(['h100', 'a10-dev']);
    expect(await names(q('gpuNetworkAccelerationDetected==true'))).toEqual(['a100', 'h100', 'research-a100']);
    expect(await list(q('swapEnabled!=true'))).toHaveLength(10);
  });

  it('filters gpuNetworkAccelerationDetection and gpuNetworkAccelerationLabelKey', async () => {
    expect(await names(q('gpuNetworkAccelerationDetection==DontUse'))).toEqual([
      't4-inference',
      'v100-legacy',
    ]);
    expect(await names(q('gpuNetworkAccelerationLabelKey=@gh200'))).toEqual(['gh200-preview']);
  });

  it('ANDs comma-joined filters', async () => {
    expect(await names(q(`clusterId==${SEED_CLUSTERS.prod.id}`, 'phase==Ready'))).toEqual([
      'default',
      'a100',
      'h100',
      't4-inference',
    ]);
  });

  it('count applies the same filters', async () => {
    const sim = await startSimulator();
    const res = await call(
      sim,
      `/api/v1/node-pools/count?filterBy=${encodeURIComponent(`clusterId==${SEED_CLUSTERS.research.id}`)}`,
    );
    expect(res.body).toEqual({ count: 5 });
  });
});

describe('simulator: sortBy, sortOrder, offset, limit', () => {
  it('sorts by name ascending, ties broken by id', async () => {
    const pools = await list('/api/v1/node-pools?sortBy=name');
    expect(pools.map((p) => p.name).slice(0, 5)).toEqual([
      'a10-dev',
      'a100',
      'b200-experimental',
      'default',
      'default',
    ]);
    expect(pools.filter((p) => p.name === 'default').map((p) => p.id)).toEqual(['1', '8']);
  });

  it('sorts by createdAt descending', async () => {
    expect((await names('/api/v1/node-pools?sortBy=createdAt&sortOrder=desc')).slice(0, 3)).toEqual([
      'b200-experimental',
      'gh200-preview',
      'mi300',
    ]);
  });

  it('pages with offset and limit (default order by numeric id)', async () => {
    const sim = await startSimulator();
    const page = async (offset: number, limit: number) =>
      (
        await call<{ nodepools: Nodepool[] }>(sim, `/api/v1/node-pools?offset=${offset}&limit=${limit}`)
      ).body.nodepools.map((p) => p.id);
    expect(await page(0, 5)).toEqual(['1', '2', '3', '4', '5']);
    expect(await page(5, 5)).toEqual(['6', '7', '8', '9', '10']);
    expect(await page(10, 5)).toEqual(['11', '12']);
    expect(await page(20, 5)).toEqual([]);
  });

  it('generates exactly N pools for tenant 1001 with the pools option, and limit defaults to 50', async () => {
    const sim = await startSimulator({ pools: 120 });
    expect((await call(sim, '/api/v1/node-pools/count')).body).toEqual({ count: 120 });
    const first = await call<{ nodepools: Nodepool[] }>(sim, '/api/v1/node-pools');
    expect(first.body.nodepools).toHaveLength(50);
    const defaults = await call(sim, '/api/v1/node-pools/count?filterBy=name==default');
    expect(defaults.body).toEqual({ count: 2 });
    const other = await call(sim, '/api/v1/node-pools/count', { token: 'demo-admin-2' });
    expect(other.body).toEqual({ count: 3 });
  });
});

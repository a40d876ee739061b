import { SEED_CLUSTERS } from 'runai-simulator';
import type { components } from 'runai-simulator/openapi-types';
import { describe, expect, it } from 'vitest';
import { call, startSimulator } from './helpers.js';

type Nodepool = components['schemas']['Nodepool'];
const DELAYS = { create: 30, update: 30, delete: 30 };

/** A simulator on the test's own clock: its pools change phase when `elapse` moves the clock, never on their own. */
async function clockedSimulator() {
  let clock = Date.now();
  const sim = await startSimulator({ delays: DELAYS, now: () => clock });
  return {
    sim,
    elapse: (ms: number) => {
      clock += ms;
    },
  };
}

describe('simulator: lazy pool lifecycle', () => {
  it('Creating → Ready when nodes carry the label, with status.nodes listing them', async () => {
    const { sim, elapse } = await clockedSimulator();
    const created = await call<Nodepool>(sim, '/api/v1/node-pools', {
      method: 'POST',
      body: {
        name: 'more-a10',
        labelKey: 'node-pool-type',
        labelValue: 'a10',
        clusterId: SEED_CLUSTERS.research.id,
      },
    });
    expect(created.body.phase).toBe('Creating');
    elapse(DELAYS.create);
    const pool = (await call<Nodepool>(sim, `/api/v1/node-pools/${created.body.id}`)).body;
    expect(pool.phase).toBe('Ready');
    expect(pool.status?.nodes).toEqual(['research-gpu-a10-1']);
  });

  it('Creating → Empty when no node carries the label', async () => {
    const { sim, elapse } = await clockedSimulator();
    const created = await call<Nodepool>(sim, '/api/v1/node-pools', {
      method: 'POST',
      body: {
        name: 'nothing',
        labelKey: 'node-pool-type',
        labelValue: 'none',
        clusterId: SEED_CLUSTERS.prod.id,
      },
    });
    expect(created.body.phase).toBe('Creating');
    elapse(DELAYS.create);
    const pool = (await call<Nodepool>(sim, `/api/v1/node-pools/${created.body.id}`)).body;
    expect(pool).toMatchObject({ phase: 'Empty', status: { nodes: [] } });
  });

  it('Updating settles from the new labels; the default pool gives up nodes another pool takes', async () => {
    const { sim, elapse } = await clockedSimulator();
    const patched = await call<Nodepool>(sim, '/api/v1/node-pools/6', {
      method: 'PATCH',
      body: { labelKey: 'node-role', labelValue: 'cpu-worker' },
    });
    expect(patched.body.phase).toBe('Updating');
    elapse(DELAYS.update);
    const pool = (await call<Nodepool>(sim, '/api/v1/node-pools/6')).body;
    expect(pool).toMatchObject({
      phase: 'Ready',
      status: { nodes: ['prod-cpu-1', 'prod-cpu-2', 'prod-cpu-3'] },
    });
    const defaultPool = (await call<Nodepool>(sim, '/api/v1/node-pools/1')).body;
    expect(defaultPool.status?.nodes).toEqual([]);
  });

  it('Deleting → gone: 404 and absent from lists and counts', async () => {
    const { sim, elapse } = await clockedSimulator();
    expect((await call(sim, '/api/v1/node-pools/7', { method: 'DELETE' })).status).toBe(202);
    expect((await call<Nodepool>(sim, '/api/v1/node-pools/7')).body.phase).toBe('Deleting');
    elapse(DELAYS.delete);
    expect((await call(sim, '/api/v1/node-pools/7')).status).toBe(404);
    expect((await call(sim, '/api/v1/node-pools/count')).body).toEqual({ count: 11 });
  });

  it('setPhase forces a phase (with message) until the next write, and throws on unknown ids', async () => {
    const sim = await startSimulator();
    sim.setPhase('2', 'Unschedulable', 'maintenance');
    expect((await call<Nodepool>(sim, '/api/v1/node-pools/2')).body).toMatchObject({
      phase: 'Unschedulable',
      phaseMessage: 'maintenance',
    });
    const filtered = await call(
      sim,
      `/api/v1/node-pools/count?filterBy=${encodeURIComponent('phase==Unschedulable')}`,
    );
    expect(filtered.body).toEqual({ count: 2 });
    expect(() => sim.setPhase('999', 'Ready')).toThrow(/999/);
  });

  it('computes phases from the injected clock (no timers)', async () => {
    let clock = Date.parse('2025-06-01T00:00:00Z');
    const sim = await startSimulator({ now: () => clock });
    const created = await call<Nodepool>(sim, '/api/v1/node-pools', {
      method: 'POST',
      body: {
        name: 'clocked',
        labelKey: 'node-pool-type',
        labelValue: 'h100',
        clusterId: SEED_CLUSTERS.prod.id,
      },
    });
    expect(created.body.createdAt).toBe('2025-06-01T00:00:00.000Z');
    clock += 2_999;
    expect((await call<Nodepool>(sim, `/api/v1/node-pools/${created.body.id}`)).body.phase).toBe('Creating');
    clock += 1;
    expect((await call<Nodepool>(sim, `/api/v1/node-pools/${created.body.id}`)).body.phase).toBe('Ready');
  });
});

import { describe, expect, it } from 'vitest';
import { call, startSimulator } from './helpers.js';

describe('simulator: request log', () => {
  it('keeps the most recent requests only, so a long run does not grow without bound', async () => {
    const sim = await startSimulator({ requestLogLimit: 20 });
    for (let i = 0; i < 60; i++) await call(sim, `/api/v1/node-pools/count`);
    expect(sim.requests.length).toBeGreaterThanOrEqual(20);
    expect(sim.requests.length).toBeLessThanOrEqual(22);
    // The newest requests are the ones kept, in order.
    const seqs = sim.requests.map((r) => r.seq);
    expect(seqs.at(-1)).toBe(60);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('tells faults for one token apart from the others', async () => {
    const sim = await startSimulator();
    sim.faults.failNext(1, 503, { token: 'demo-viewer' });
    expect((await call(sim, '/api/v1/node-pools/count', { token: 'demo-admin' })).status).toBe(200);
    expect((await call(sim, '/api/v1/node-pools/count', { token: 'demo-viewer' })).status).toBe(503);
  });
});

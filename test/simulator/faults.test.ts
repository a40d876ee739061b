import { once } from 'node:events';
import { Agent, get } from 'node:http';
import type { Socket } from 'node:net';
import { createSimulator } from 'runai-simulator';
import { describe, expect, it, vi } from 'vitest';
import { call, startSimulator } from './helpers.js';

/** GETs `url` as demo-admin through `agent`, reading the whole answer; resolves with its status. */
function statusOf(agent: Agent, url: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { authorization: 'Bearer demo-admin' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

describe('simulator: fault injection', () => {
  it('failNext answers the next N matching requests with a Run:ai error body and Retry-After', async () => {
    const sim = await startSimulator();
    sim.faults.failNext(2, 503, { operation: 'get_nodepools', retryAfterSeconds: 3 });
    expect((await call(sim, '/api/v1/node-pools/count')).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await call(sim, '/api/v1/node-pools');
      expect(res).toMatchObject({
        status: 503,
        body: { code: 503, message: 'Please try again in few minutes.' },
      });
      expect(res.headers.get('retry-after')).toBe('3');
    }
    expect((await call(sim, '/api/v1/node-pools')).status).toBe(200);
  });

  it('failNext can send a raw body, and reset() clears pending faults', async () => {
    const sim = await startSimulator();
    sim.faults.failNext(1, 500, { method: 'GET', body: '{"oops":true}' });
    const res = await call(sim, '/api/v1/node-pools/2');
    expect(res).toMatchObject({ status: 500, body: { oops: true } });
    sim.faults.failNext(5, 500);
    sim.faults.reset();
    expect((await call(sim, '/api/v1/node-pools/2')).status).toBe(200);
  });

  it('dropNext destroys the socket without answering (recorded with status 0, not aborted)', async () => {
    const sim = await startSimulator();
    sim.faults.dropNext(1, { path: /\/node-pools\/\d+$/ });
    await expect(call(sim, '/api/v1/node-pools/2')).rejects.toThrow();
    const dropped = await sim.waitForRequest({ operation: 'get_nodepool' });
    expect(dropped).toMatchObject({ status: 0, aborted: false });
    expect((await call(sim, '/api/v1/node-pools/2')).status).toBe(200);
  });

  it('garbageNext answers 200 application/json with a body that is not JSON', async () => {
    const sim = await startSimulator();
    sim.faults.garbageNext(1);
    const res = await call(sim, '/api/v1/node-pools');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it('setLatency delays matching requests until cleared with setLatency(0)', async () => {
    const sim = await startSimulator();
    sim.faults.setLatency(150, { operation: 'count_nodepools' });
    // The latency sleeps on a fake clock: only advancing it can release the request.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const delayed = call(sim, '/api/v1/node-pools/count');
      // Checks every fake millisecond: the request has slept at most 1 ms when it is first seen.
      await vi.waitFor(() => expect(sim.countRequests({ operation: 'count_nodepools' })).toBe(1), {
        interval: 1,
      });
      await vi.advanceTimersByTimeAsync(148);
      // Another operation is not delayed: it is answered while the first still sleeps (149 ms of 150).
      expect((await call(sim, '/api/v1/node-pools')).status).toBe(200);
      expect(sim.requests.map((r) => [r.operation, r.status])).toEqual([
        ['count_nodepools', 0],
        ['get_nodepools', 200],
      ]);
      await vi.advanceTimersByTimeAsync(2);
      expect((await delayed).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
    sim.faults.setLatency(0);
    expect((await call(sim, '/api/v1/node-pools/count')).status).toBe(200);
  });

  it('records a client abort mid-latency as aborted, and the write never happens', async () => {
    const sim = await startSimulator();
    sim.faults.setLatency(10_000);
    const controller = new AbortController();
    const pending = call(sim, '/api/v1/node-pools/4', { method: 'DELETE', signal: controller.signal });
    await vi.waitFor(() => expect(sim.countRequests({ operation: 'delete_nodepool' })).toBe(1));
    controller.abort();
    await expect(pending).rejects.toThrow();
    const record = await sim.waitForRequest({ operation: 'delete_nodepool', aborted: true });
    expect(record).toMatchObject({
      status: 0,
      aborted: true,
      method: 'DELETE',
      tenantId: 1001,
      token: 'demo-admin',
    });
    sim.faults.setLatency(0);
    expect((await call<{ phase: string }>(sim, '/api/v1/node-pools/4')).body.phase).toBe('Ready');
  });

  it('records requests with operation, query and body; counts and clears them', async () => {
    const sim = await startSimulator();
    await call(sim, '/api/v1/node-pools?limit=3&filterBy=name%3D%3Da100');
    await call(sim, '/api/v1/node-pools/2', { method: 'PATCH', body: { labelValue: 'x' } });
    expect(sim.requests.map((r) => [r.seq, r.operation, r.status])).toEqual([
      [1, 'get_nodepools', 200],
      [2, 'patch_nodepool', 200],
    ]);
    expect(sim.requests[0]).toMatchObject({
      query: { limit: '3', filterBy: 'name==a100' },
      rawQuery: 'limit=3&filterBy=name%3D%3Da100',
    });
    expect(sim.requests[1]?.body).toEqual({ labelValue: 'x' });
    expect(sim.countRequests({ method: 'patch' })).toBe(1);
    sim.clearRequests();
    expect(sim.requests).toHaveLength(0);
  });

  it('serves unauthenticated /_simulator/ control endpoints that are not recorded', async () => {
    const sim = await startSimulator();
    await call(sim, '/api/v1/node-pools/count');
    const plan = await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ failNext: { count: 1, status: 429, operation: 'count_nodepools' } }),
    });
    expect(plan.status).toBe(200);
    expect((await call(sim, '/api/v1/node-pools/count')).status).toBe(429);
    const log = (await (await fetch(`${sim.url}/_simulator/requests`)).json()) as Array<{ status: number }>;
    expect(log.map((r) => r.status)).toEqual([200, 429]);
    expect((await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' })).status).toBe(200);
    expect(sim.requests).toHaveLength(0);
    const bad = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', body: '{"failNext":{}}' });
    expect(bad.status).toBe(400);
  });

  it('stop() closes idle keep-alive sockets, and url throws before start', async () => {
    const sim = createSimulator();
    expect(() => sim.url).toThrow(/start/);
    await sim.start();
    const agent = new Agent({ keepAlive: true });
    try {
      for (let i = 0; i < 3; i++)
        expect(await statusOf(agent, `${sim.url}/api/v1/node-pools/count`)).toBe(200);
      // The three calls took turns on one connection, which stays open, idle.
      const idle = Object.values(agent.freeSockets).flat();
      expect(idle).toHaveLength(1);
      const closed = idle.map((socket) => once(socket as Socket, 'close'));
      await sim.stop();
      // The client never closes it: the simulator did.
      await Promise.all(closed);
      expect(() => sim.url).toThrow();
    } finally {
      agent.destroy();
    }
  });

  it('stop() does not wait for a request sleeping in injected latency', async () => {
    const sim = createSimulator();
    await sim.start();
    // Far longer than the test may take: stop() returns at all only if it does not wait for the sleep.
    sim.faults.setLatency(60_000);
    const pending = call(sim, '/api/v1/node-pools/count').catch((error: unknown) => error);
    await vi.waitFor(() => expect(sim.countRequests()).toBe(1));
    await sim.stop();
    expect(await pending).toBeInstanceOf(Error);
  });
});

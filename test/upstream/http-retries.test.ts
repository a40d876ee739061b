import { createServer } from 'node:net';
import { SEED_CLUSTERS } from 'runai-simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isUpstreamError } from '../../src/upstream/errors.js';
import { type UpstreamCallEvent, UpstreamHttp } from '../../src/upstream/http.js';
import {
  countNodePools,
  createNodePool,
  deleteNodePool,
  getNodePool,
  getNodePoolMetrics,
  listNodePools,
  patchNodePool,
  updateNodePool,
} from '../../src/upstream/nodepools-api.js';
import { ADMIN, expectUpstreamError, httpOptions, type Stack, startStack, uniqueName } from './support.js';

let stack: Stack;
let poolId: string;

beforeAll(async () => {
  stack = await startStack();
  const pools = await listNodePools(stack.ctx(ADMIN), { filterBy: ['name==a100'] });
  poolId = pools.find((p) => p.clusterId === SEED_CLUSTERS.prod.id)!.id;
  stack.sim.clearRequests();
});

afterAll(async () => {
  await stack.stop();
});

afterEach(() => {
  stack.sim.faults.reset();
  stack.sim.clearRequests();
});

async function freshPool(): Promise<string> {
  const pool = await createNodePool(stack.ctx(ADMIN), {
    name: uniqueName('http'),
    clusterId: SEED_CLUSTERS.prod.id,
    labelKey: 'node-pool-type',
    labelValue: 'none',
  });
  stack.sim.clearRequests();
  return pool.id;
}

describe('request encoding', () => {
  it('sends the bearer token and asks for JSON', async () => {
    await countNodePools(stack.ctx(ADMIN));
    const [req] = stack.sim.requests;
    expect(req).toMatchObject({
      operation: 'count_nodepools',
      method: 'GET',
      token: ADMIN,
      accept: 'application/json',
    });
  });

  it('sends no Authorization header without a token', async () => {
    await expectUpstreamError(countNodePools(stack.ctx(undefined)), { code: 'UNAUTHENTICATED' });
    expect(stack.sim.requests[0]?.token).toBeUndefined();
  });

  it('sends filterBy as ONE comma-joined, percent-encoded value', async () => {
    const pools = await listNodePools(stack.ctx(ADMIN), {
      filterBy: ['name==a100', 'phase==Ready'],
      limit: 10,
    });
    expect(pools.every((p) => p.name === 'a100' && p.phase === 'Ready')).toBe(true);
    const [req] = stack.sim.requests;
    expect(req?.rawQuery).toBe('filterBy=name%3D%3Da100%2Cphase%3D%3DReady&limit=10');
    expect(req?.query['filterBy']).toBe('name==a100,phase==Ready');
  });

  it('omits undefined parameters and empty lists', async () => {
    await listNodePools(stack.ctx(ADMIN), { filterBy: [], sortBy: undefined });
    expect(stack.sim.requests[0]?.rawQuery).toBe('');
  });

  it('sends metricType as ONE comma-joined value and start/end as ISO strings', async () => {
    await getNodePoolMetrics(stack.ctx(ADMIN), {
      clusterId: SEED_CLUSTERS.prod.id,
      nodepoolName: 'a100',
      start: new Date('2025-02-10T10:00:00Z'),
      end: '2025-02-10T12:00:00.000Z',
      numberOfSamples: 5,
      metricTypes: ['GPU_UTILIZATION', 'TOTAL_GPU'],
    });
    const [req] = stack.sim.requests;
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
    await expectUpstreamError(getNodePool(stack.ctx(ADMIN), '../count'), { code: 'NOT_FOUND' });
    expect(stack.sim.requests[0]?.path).toBe('/api/v1/node-pools/..%2Fcount');
  });

  it('sends a PATCH body exactly as given: explicit nulls stay, omitted keys stay absent', async () => {
    const id = await freshPool();
    await patchNodePool(stack.ctx(ADMIN), id, { gpuNetworkAccelerationLabelKey: null });
    const [req] = stack.sim.requests;
    expect(req?.body).toEqual({ gpuNetworkAccelerationLabelKey: null });
  });
});

describe('retries', () => {
  it('retries a 503 on GET and then succeeds (2 requests)', async () => {
    stack.sim.faults.failNext(1, 503, { operation: 'get_nodepool' });
    const pool = await getNodePool(stack.ctx(ADMIN), poolId);
    expect(pool.id).toBe(poolId);
    expect(stack.sim.countRequests({ operation: 'get_nodepool' })).toBe(2);
  });

  it.each([502, 504])('retries a %i on GET', async (status) => {
    stack.sim.faults.failNext(1, status, { operation: 'count_nodepools' });
    await countNodePools(stack.ctx(ADMIN));
    expect(stack.sim.countRequests({ operation: 'count_nodepools' })).toBe(2);
  });

  it('retries a 503 on PUT and DELETE (idempotent)', async () => {
    const id = await freshPool();
    stack.sim.faults.failNext(1, 503, { method: 'PUT' });
    await updateNodePool(stack.ctx(ADMIN), id, { labelKey: 'node-pool-type', labelValue: 'other' });
    expect(stack.sim.countRequests({ method: 'PUT' })).toBe(2);
    stack.sim.faults.failNext(1, 503, { method: 'DELETE' });
    await deleteNodePool(stack.ctx(ADMIN), id);
    expect(stack.sim.countRequests({ method: 'DELETE' })).toBe(2);
  });

  it('never retries a 503 on POST (1 request)', async () => {
    stack.sim.faults.failNext(1, 503, { method: 'POST' });
    await expectUpstreamError(
      createNodePool(stack.ctx(ADMIN), {
        name: uniqueName('post'),
        clusterId: SEED_CLUSTERS.prod.id,
        labelKey: 'k',
        labelValue: 'v',
      }),
      { code: 'UPSTREAM_UNAVAILABLE', status: 503, operation: 'create_nodepool' },
    );
    expect(stack.sim.countRequests({ method: 'POST' })).toBe(1);
  });

  it('never retries a 503 on PATCH (1 request)', async () => {
    const id = await freshPool();
    stack.sim.faults.failNext(1, 503, { method: 'PATCH' });
    await expectUpstreamError(patchNodePool(stack.ctx(ADMIN), id, { labelValue: 'x' }), {
      code: 'UPSTREAM_UNAVAILABLE',
      operation: 'patch_nodepool',
    });
    expect(stack.sim.countRequests({ method: 'PATCH' })).toBe(1);
  });

  it('does not retry other errors (404, 500)', async () => {
    await expectUpstreamError(getNodePool(stack.ctx(ADMIN), '987654'), { code: 'NOT_FOUND' });
    stack.sim.faults.failNext(1, 500, { operation: 'get_nodepool' });
    await expectUpstreamError(getNodePool(stack.ctx(ADMIN), poolId), { code: 'UPSTREAM_ERROR', status: 500 });
    expect(stack.sim.countRequests({ operation: 'get_nodepool' })).toBe(2);
  });

  it('honours Retry-After on a 429 and then succeeds', async () => {
    stack.sim.faults.failNext(1, 429, { operation: 'get_nodepools', retryAfterSeconds: 1 });
    const pools = await listNodePools(stack.ctx(ADMIN));
    expect(pools.length).toBeGreaterThan(0);
    expect(stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(2);
  });

  it('gives up at once when Retry-After would pass the deadline, with the upstream error', async () => {
    const http = stack.client({ totalTimeoutMs: 1_000 });
    stack.sim.faults.failNext(1, 429, { operation: 'get_nodepools', retryAfterSeconds: 30 });
    const started = Date.now();
    await expectUpstreamError(listNodePools(stack.ctx(ADMIN, http)), {
      code: 'RATE_LIMITED',
      status: 429,
    });
    expect(Date.now() - started).toBeLessThan(900);
    expect(stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('retries a dropped connection on GET', async () => {
    stack.sim.faults.dropNext(1, { operation: 'get_nodepool' });
    const pool = await getNodePool(stack.ctx(ADMIN), poolId);
    expect(pool.id).toBe(poolId);
    expect(stack.sim.countRequests({ operation: 'get_nodepool' })).toBe(2);
  });

  it('does not retry a dropped connection on POST', async () => {
    stack.sim.faults.dropNext(1, { method: 'POST' });
    await expectUpstreamError(
      createNodePool(stack.ctx(ADMIN), {
        name: uniqueName('drop'),
        clusterId: SEED_CLUSTERS.prod.id,
        labelKey: 'k',
        labelValue: 'v',
      }),
      { code: 'UPSTREAM_UNAVAILABLE', status: undefined },
    );
    expect(stack.sim.countRequests({ method: 'POST' })).toBe(1);
  });

  it('fails after exactly 3 requests when every attempt fails (maxRetries 2)', async () => {
    stack.sim.faults.failNext(5, 503, { operation: 'get_nodepools' });
    await expectUpstreamError(listNodePools(stack.ctx(ADMIN)), {
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      upstreamMessage: 'Please try again in few minutes.',
      operation: 'get_nodepools',
    });
    expect(stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(3);
  });

  it('reports every attempt to onCall', async () => {
    const events: UpstreamCallEvent[] = [];
    const http = stack.client({ onCall: (e) => events.push(e) });
    stack.sim.faults.failNext(1, 503, { operation: 'get_nodepool' });
    await getNodePool(stack.ctx(ADMIN, http), poolId);
    expect(events.map(({ durationMs: _d, ...e }) => e)).toEqual([
      {
        operation: 'get_nodepool',
        method: 'GET',
        status: 503,
        errorCode: 'UPSTREAM_UNAVAILABLE',
      },
      { operation: 'get_nodepool', method: 'GET', status: 200 },
    ]);
    expect(events.every((e) => e.durationMs >= 0)).toBe(true);
  });

  it('retries refused connections, then reports UPSTREAM_UNAVAILABLE', async () => {
    const port = await closedPort();
    const events: UpstreamCallEvent[] = [];
    const http = new UpstreamHttp(httpOptions(`http://127.0.0.1:${port}`, { onCall: (e) => events.push(e) }));
    try {
      const err = await expectUpstreamError(countNodePools({ http, token: ADMIN }), {
        code: 'UPSTREAM_UNAVAILABLE',
        status: undefined,
      });
      expect(err.message).toContain('ECONNREFUSED');
      expect(err.message).not.toContain('127.0.0.1');
      expect(events.map((e) => e.status)).toEqual(['error', 'error', 'error']);
    } finally {
      await http.close();
    }
  });
});

describe('bad responses', () => {
  it('maps a non-JSON 2xx body to UPSTREAM_BAD_RESPONSE without retrying', async () => {
    stack.sim.faults.garbageNext(1, { operation: 'get_nodepools' });
    await expectUpstreamError(listNodePools(stack.ctx(ADMIN)), {
      code: 'UPSTREAM_BAD_RESPONSE',
      status: 200,
      operation: 'get_nodepools',
    });
    expect(stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('keeps the status when an error body is not Run:ai-shaped', async () => {
    stack.sim.faults.failNext(1, 400, { operation: 'count_nodepools', body: '<html>nope</html>' });
    const err = await expectUpstreamError(countNodePools(stack.ctx(ADMIN)), {
      code: 'BAD_USER_INPUT',
      status: 400,
    });
    expect(err.upstreamMessage).toBeUndefined();
  });
});

describe('timeouts and aborts', () => {
  it('maps the total deadline to UPSTREAM_TIMEOUT', async () => {
    const http = stack.client({ totalTimeoutMs: 150 });
    stack.sim.faults.setLatency(1_000, { operation: 'get_nodepools' });
    const started = Date.now();
    await expectUpstreamError(listNodePools(stack.ctx(ADMIN, http)), {
      code: 'UPSTREAM_TIMEOUT',
      status: undefined,
      operation: 'get_nodepools',
    });
    expect(Date.now() - started).toBeLessThan(900);
    // The in-flight request was aborted, not left running.
    const req = await stack.sim.waitForRequest({ operation: 'get_nodepools', aborted: true }, 3_000);
    expect(req.aborted).toBe(true);
  });

  it('honours a per-call deadline shorter than the configured timeout', async () => {
    stack.sim.faults.setLatency(1_000, { operation: 'count_nodepools' });
    await expectUpstreamError(
      countNodePools({ http: stack.http, token: ADMIN, deadline: Date.now() + 100 }),
      { code: 'UPSTREAM_TIMEOUT' },
    );
  });

  it('reports a deadline as UPSTREAM_TIMEOUT, not as the caller leaving, when the caller has a signal', async () => {
    stack.sim.faults.setLatency(1_000, { operation: 'count_nodepools' });
    const controller = new AbortController();
    await expectUpstreamError(
      countNodePools({
        http: stack.http,
        token: ADMIN,
        signal: controller.signal,
        deadline: Date.now() + 100,
      }),
      { code: 'UPSTREAM_TIMEOUT', operation: 'count_nodepools' },
    );
    expect(controller.signal.aborted).toBe(false);
  });

  it("rejects with the caller's reason on abort, and aborts the upstream request", async () => {
    stack.sim.faults.setLatency(2_000, { operation: 'get_nodepools' });
    const controller = new AbortController();
    const reason = new Error('client went away');
    const pending = listNodePools({ http: stack.http, token: ADMIN, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    const req = await stack.sim.waitForRequest({ operation: 'get_nodepools', aborted: true }, 3_000);
    expect(req.aborted).toBe(true);
    expect(stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('stops waiting for a retry when the caller aborts during back-off', async () => {
    stack.sim.faults.failNext(1, 503, { operation: 'get_nodepools', retryAfterSeconds: 5 });
    const controller = new AbortController();
    const pending = listNodePools({ http: stack.http, token: ADMIN, signal: controller.signal });
    await stack.sim.waitForRequest({ operation: 'get_nodepools' }, 3_000);
    const started = Date.now();
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(500);
    expect(stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('does not send anything when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already gone'));
    await expect(
      listNodePools({ http: stack.http, token: ADMIN, signal: controller.signal }),
    ).rejects.toThrow('already gone');
    expect(stack.sim.countRequests()).toBe(0);
  });

  it('shares an identical GET in flight: one caller leaving does not cancel it for the other', async () => {
    stack.sim.faults.setLatency(300, { operation: 'get_nodepools' });
    const leaving = new AbortController();
    const first = listNodePools({ http: stack.http, token: ADMIN, signal: leaving.signal });
    const second = listNodePools({ http: stack.http, token: ADMIN, signal: new AbortController().signal });
    await new Promise((r) => setTimeout(r, 50));
    leaving.abort(new Error('first caller left'));
    await expect(first).rejects.toThrow('first caller left');
    expect((await second).length).toBeGreaterThan(0);
    const calls = stack.sim.requests.filter((r) => r.operation === 'get_nodepools');
    expect(calls.map((r) => [r.status, r.aborted])).toEqual([[200, false]]);
  });

  it('aborts a shared GET once every caller has left', async () => {
    stack.sim.faults.setLatency(2_000, { operation: 'get_nodepools' });
    const callers = [new AbortController(), new AbortController()];
    const pending = callers.map((c) => listNodePools({ http: stack.http, token: ADMIN, signal: c.signal }));
    await new Promise((r) => setTimeout(r, 50));
    callers[0]?.abort(new Error('first left'));
    callers[1]?.abort(new Error('second left'));
    await expect(pending[0]).rejects.toThrow('first left');
    await expect(pending[1]).rejects.toThrow('second left');
    const req = await stack.sim.waitForRequest({ operation: 'get_nodepools', aborted: true }, 3_000);
    expect(req.aborted).toBe(true);
    expect(stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('a shared GET stops its back-off once every caller has left', async () => {
    stack.sim.faults.failNext(1, 503, { operation: 'get_nodepools', retryAfterSeconds: 5 });
    let backingOff: () => void = () => {};
    const firstAttemptFailed = new Promise<void>((resolve) => {
      backingOff = resolve;
    });
    // The 503 is reported just before the back-off starts.
    const http = stack.client({ onCall: (event) => event.status === 503 && backingOff() });
    const callers = [new AbortController(), new AbortController()];
    const pending = callers.map((c) => listNodePools({ http, token: ADMIN, signal: c.signal }));
    await firstAttemptFailed;
    callers[0]?.abort(new Error('first left'));
    await expect(pending[0]).rejects.toThrow('first left');
    callers[1]?.abort(new Error('second left'));
    await expect(pending[1]).rejects.toThrow('second left');
    // The shared call ended with its last caller instead of sleeping out the 5 s Retry-After:
    // a new caller starts a call of its own at once rather than joining the abandoned one.
    const started = Date.now();
    expect((await listNodePools({ http, token: ADMIN })).length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(2);
  });
});

describe('connection pool', () => {
  it('returns sockets to the pool after error and retried responses (bodies consumed)', async () => {
    const http = stack.client({ connections: 1, maxRetries: 1 });
    const ctx = stack.ctx(ADMIN, http);
    for (let i = 0; i < 10; i++) {
      stack.sim.faults.failNext(1, 503, { operation: 'get_nodepool' });
      await getNodePool(ctx, poolId);
      await expectUpstreamError(getNodePool(ctx, '999999'), { code: 'NOT_FOUND' });
    }
    await expect(countNodePools(ctx)).resolves.toBeGreaterThan(0);
  });

  it('close() is safe twice, and later calls fail cleanly', async () => {
    const http = stack.client();
    await countNodePools(stack.ctx(ADMIN, http));
    await http.close();
    await http.close();
    const err = await countNodePools(stack.ctx(ADMIN, http)).catch((e: unknown) => e);
    expect(isUpstreamError(err) && err.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

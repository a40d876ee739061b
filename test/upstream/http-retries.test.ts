import { createServer } from 'node:net';
import { SEED_CLUSTERS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { credentialScope } from '../../src/upstream/credential-scope.js';
import type { CallContext } from '../../src/upstream/http.js';
import { type UpstreamCallEvent, UpstreamHttp } from '../../src/upstream/http.js';
import {
  countNodePools,
  createNodePool,
  deleteNodePool,
  getNodePool,
  listNodePools,
  patchNodePool,
  updateNodePool,
} from '../../src/upstream/nodepools-api.js';
import { useApiFixture } from './nodepools-api-fixture.js';
import { ADMIN, expectUpstreamError, httpOptions, uniqueName } from './support.js';

const api = useApiFixture();

/** A create that Run:ai would accept. */
const create = (ctx: CallContext, prefix: string) =>
  createNodePool(ctx, {
    name: uniqueName(prefix),
    clusterId: SEED_CLUSTERS.prod.id,
    labelKey: 'k',
    labelValue: 'v',
  });

describe('retries', () => {
  it.each([503, 502, 504])('retries a %i on GET, then succeeds (2 requests)', async (status) => {
    api.stack.sim.faults.failNext(1, status, { operation: 'get_nodepool' });
    const pool = await getNodePool(api.as('admin'), api.a100.id);
    expect(pool.id).toBe(api.a100.id);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepool' })).toBe(2);
  });

  it.each([
    [
      'PUT',
      (ctx: CallContext, id: string) =>
        updateNodePool(ctx, id, { labelKey: 'node-pool-type', labelValue: 'other' }),
    ],
    ['DELETE', (ctx: CallContext, id: string) => deleteNodePool(ctx, id)],
  ] as const)('retries a 503 on %s (idempotent), then succeeds (2 requests)', async (method, send) => {
    const { id } = await api.newPool('http');
    api.stack.sim.faults.failNext(1, 503, { method });
    await send(api.as('admin'), id);
    expect(api.stack.sim.countRequests({ method })).toBe(2);
  });

  it.each([
    ['POST', 'create_nodepool', (ctx: CallContext) => create(ctx, 'post')],
    [
      'PATCH',
      'patch_nodepool',
      (ctx: CallContext, id: string) => patchNodePool(ctx, id, { labelValue: 'x' }),
    ],
  ] as const)('never retries a 503 on %s (1 request)', async (method, operation, send) => {
    const { id } = await api.newPool('http');
    api.stack.sim.faults.failNext(1, 503, { method });
    await expectUpstreamError(send(api.as('admin'), id), {
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      operation,
    });
    expect(api.stack.sim.countRequests({ method })).toBe(1);
  });

  it('does not retry other errors (404, 500)', async () => {
    await expectUpstreamError(getNodePool(api.as('admin'), '987654'), { code: 'NOT_FOUND' });
    api.stack.sim.faults.failNext(1, 500, { operation: 'get_nodepool' });
    await expectUpstreamError(getNodePool(api.as('admin'), api.a100.id), {
      code: 'UPSTREAM_ERROR',
      status: 500,
    });
    expect(api.stack.sim.countRequests({ operation: 'get_nodepool' })).toBe(2);
  });

  it('honours Retry-After on a 429 and then succeeds', async () => {
    api.stack.sim.faults.failNext(1, 429, { operation: 'get_nodepools', retryAfterSeconds: 1 });
    const pools = await listNodePools(api.as('admin'));
    expect(pools.length).toBeGreaterThan(0);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(2);
  });

  it('gives up at once when Retry-After would pass the deadline, with the upstream error', async () => {
    const logged: string[] = [];
    const http = api.stack.client({
      totalTimeoutMs: 1_000,
      logger: {
        warn: (_obj, msg) => logged.push(`warn ${msg}`),
        debug: (_obj, msg) => logged.push(`debug ${msg}`),
      },
    });
    api.stack.sim.faults.failNext(1, 429, { operation: 'get_nodepools', retryAfterSeconds: 30 });
    // Run:ai's own 429: waiting, even only until the deadline, would have ended as UPSTREAM_TIMEOUT.
    await expectUpstreamError(listNodePools(api.stack.ctx(ADMIN, http)), {
      code: 'RATE_LIMITED',
      status: 429,
    });
    // It decided not to wait at all, and sent nothing more.
    expect(logged.filter((line) => line.includes('retrying'))).toEqual([
      'debug not retrying Run:ai call: wait exceeds deadline',
    ]);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('retries a dropped connection on GET', async () => {
    api.stack.sim.faults.dropNext(1, { operation: 'get_nodepool' });
    const pool = await getNodePool(api.as('admin'), api.a100.id);
    expect(pool.id).toBe(api.a100.id);
    expect(api.stack.sim.countRequests({ operation: 'get_nodepool' })).toBe(2);
  });

  it('does not retry a dropped connection on POST', async () => {
    api.stack.sim.faults.dropNext(1, { method: 'POST' });
    await expectUpstreamError(create(api.as('admin'), 'drop'), {
      code: 'UPSTREAM_UNAVAILABLE',
      status: undefined,
    });
    expect(api.stack.sim.countRequests({ method: 'POST' })).toBe(1);
  });

  it('fails after exactly 3 requests when every attempt fails (maxRetries 2)', async () => {
    api.stack.sim.faults.failNext(5, 503, { operation: 'get_nodepools' });
    await expectUpstreamError(listNodePools(api.as('admin')), {
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      upstreamMessage: 'Please try again in few minutes.',
      operation: 'get_nodepools',
    });
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(3);
  });

  it('reports every attempt to onCall', async () => {
    const events: UpstreamCallEvent[] = [];
    const http = api.stack.client();
    http.on('attempt', (e) => events.push(e));
    api.stack.sim.faults.failNext(1, 503, { operation: 'get_nodepool' });
    await getNodePool(api.stack.ctx(ADMIN, http), api.a100.id);
    const scope = credentialScope(ADMIN);
    expect(events.map(({ durationMs: _d, ...e }) => e)).toEqual([
      {
        operation: 'get_nodepool',
        scope,
        method: 'GET',
        status: 503,
        errorCode: 'UPSTREAM_UNAVAILABLE',
      },
      { operation: 'get_nodepool', scope, method: 'GET', status: 200 },
    ]);
    expect(events.every((e) => e.durationMs >= 0)).toBe(true);
  });

  it('retries refused connections, then reports UPSTREAM_UNAVAILABLE', async () => {
    const port = await closedPort();
    const events: UpstreamCallEvent[] = [];
    const http = new UpstreamHttp(httpOptions(`http://127.0.0.1:${port}`));
    http.on('attempt', (e) => events.push(e));
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

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

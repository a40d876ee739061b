import { describe, expect, it } from 'vitest';
import { isUpstreamError } from '../../src/upstream/errors.js';
import { countNodePools, getNodePool, listNodePools } from '../../src/upstream/nodepools-api.js';
import { useApiFixture } from './nodepools-api-fixture.js';
import { ADMIN, expectUpstreamError } from './support.js';

const api = useApiFixture();

describe('bad responses', () => {
  it('maps a non-JSON 2xx body to UPSTREAM_BAD_RESPONSE without retrying', async () => {
    api.stack.sim.faults.garbageNext(1, { operation: 'get_nodepools' });
    await expectUpstreamError(listNodePools(api.as('admin')), {
      code: 'UPSTREAM_BAD_RESPONSE',
      status: 200,
      operation: 'get_nodepools',
    });
    expect(api.stack.sim.countRequests({ operation: 'get_nodepools' })).toBe(1);
  });

  it('keeps the status when an error body is not Run:ai-shaped', async () => {
    api.stack.sim.faults.failNext(1, 400, { operation: 'count_nodepools', body: '<html>nope</html>' });
    const err = await expectUpstreamError(countNodePools(api.as('admin')), {
      code: 'BAD_USER_INPUT',
      status: 400,
    });
    expect(err.upstreamMessage).toBeUndefined();
  });
});

describe('connection pool', () => {
  it('returns sockets to the pool after error and retried responses (bodies consumed)', async () => {
    const http = api.stack.client({ connections: 1, maxRetries: 1 });
    const ctx = api.stack.ctx(ADMIN, http);
    for (let i = 0; i < 10; i++) {
      api.stack.sim.faults.failNext(1, 503, { operation: 'get_nodepool' });
      await getNodePool(ctx, api.a100.id);
      await expectUpstreamError(getNodePool(ctx, '999999'), { code: 'NOT_FOUND' });
    }
    await expect(countNodePools(ctx)).resolves.toBeGreaterThan(0);
  });

  it('close() is safe twice, and later calls fail cleanly', async () => {
    const http = api.stack.client();
    await countNodePools(api.stack.ctx(ADMIN, http));
    await http.close();
    await http.close();
    const err = await countNodePools(api.stack.ctx(ADMIN, http)).catch((e: unknown) => e);
    expect(isUpstreamError(err) && err.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

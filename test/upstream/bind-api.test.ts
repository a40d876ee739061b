import { describe, expect, it } from 'vitest';
import { bindNodePoolsApi } from '../../src/upstream/bind-api.js';
import { useApiFixture } from './nodepools-api-fixture.js';
import { ADMIN, expectUpstreamError, VIEWER } from './support.js';

const api = useApiFixture();

describe('bindNodePoolsApi', () => {
  it('binds every operation to the context', async () => {
    const bound = bindNodePoolsApi(api.as('admin'));
    // The 13 operations of the spec, one function each.
    expect(Object.keys(bound)).toHaveLength(13);
    await expect(bound.getNodePool(api.a100.id)).resolves.toMatchObject({ name: 'a100' });
    await expect(bound.countNodePools()).resolves.toBeGreaterThan(0);
    await expectUpstreamError(bindNodePoolsApi(api.as('viewer')).deleteNodePool(api.a100.id), {
      code: 'FORBIDDEN',
    });
    expect(api.stack.sim.requests.map((r) => r.token)).toEqual([ADMIN, ADMIN, VIEWER]);
  });
});

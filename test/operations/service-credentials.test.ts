import { describe, expect, it } from 'vitest';
import { type Stack, stackWith } from '../helpers/stack.js';

const SERVICE_CLIENT = { runaiClientId: 'demo-client', runaiClientSecret: 'demo-secret' };

describe('service credentials', () => {
  it('gets one token for 20 concurrent callers without one and reuses it (refresh timing: test/upstream/service-token-cache-and-refresh.test.ts)', async () => {
    const stack: Stack = await stackWith(SERVICE_CLIENT);
    const tokenCalls = () => stack.simulator.requests.filter((r) => r.operation === 'issue_token');

    const burst = () =>
      Promise.all(
        Array.from({ length: 20 }, () =>
          stack.query<{ nodePoolCount: number }>('{ nodePoolCount }', {}, null),
        ),
      );
    for (const res of await burst()) expect(res.data?.nodePoolCount).toBeGreaterThan(0);
    expect(tokenCalls()).toHaveLength(1);
    const first = stack.simulator.requests.find((r) => r.operation === 'count_nodepools')?.token;
    expect(first).toBeTruthy();

    await burst();
    expect(tokenCalls()).toHaveLength(1);
  });

  it('uses the caller’s own token when one is sent', async () => {
    const stack = await stackWith(SERVICE_CLIENT);
    await stack.query('{ nodePoolCount }', {}, 'demo-admin-2');
    expect(stack.simulator.requests.map((r) => r.operation)).toEqual(['count_nodepools']);
    expect(stack.simulator.requests[0]?.tenantId).toBe(1002);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('service credentials', () => {
  it('gets one token for 20 concurrent callers without one and reuses it (refresh timing: test/upstream/service-token-cache-and-refresh.test.ts)', async () => {
    const stack: Stack = await startStack({
      config: { logLevel: 'silent', runaiClientId: 'demo-client', runaiClientSecret: 'demo-secret' },
    });
    cleanups.push(() => stack.stop());
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
    const stack = await startStack({
      config: { logLevel: 'silent', runaiClientId: 'demo-client', runaiClientSecret: 'demo-secret' },
    });
    cleanups.push(() => stack.stop());
    await stack.query('{ nodePoolCount }', {}, 'demo-admin-2');
    expect(stack.simulator.requests.map((r) => r.operation)).toEqual(['count_nodepools']);
    expect(stack.simulator.requests[0]?.tenantId).toBe(1002);
  });
});

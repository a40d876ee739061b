import { describe, expect, it } from 'vitest';
import { expectSafe, post, stackWith, TWO_FIELDS, type TwoFields } from './errors-fixture.js';

describe('no credentials', () => {
  it('refuses the operation before it runs: 401 UNAUTHENTICATED, no data, no call to Run:ai', async () => {
    const stack = await stackWith();
    const res = await post<TwoFields>(stack, TWO_FIELDS, null);
    expect(res.status).toBe(401);
    expect(res).not.toHaveProperty('data');
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    expectSafe(res.errors, stack);
    expect(stack.simulator.requests.length).toBe(0);
  });
});

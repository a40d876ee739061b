import { describe, expect, it } from 'vitest';
import { asJson, expectSafe, TWO_FIELDS, type TwoFields } from '../helpers/errors.js';
import { post } from '../helpers/http.js';
import { stackWith } from '../helpers/stack.js';

describe('no credentials', () => {
  it('refuses the operation before it runs: 401 UNAUTHENTICATED, no data, no call to Run:ai', async () => {
    const stack = await stackWith();
    const res = await post<TwoFields>(stack.url, { query: TWO_FIELDS }, asJson(null));
    expect(res.status).toBe(401);
    expect(res.body).not.toHaveProperty('data');
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    expectSafe(res.body.errors, stack);
    expect(stack.simulator.requests.length).toBe(0);
  });
});

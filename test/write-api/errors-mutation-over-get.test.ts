import { describe, expect, it } from 'vitest';
import { useMutations } from '../helpers/errors.js';

const m = useMutations();

describe('transport', () => {
  it('a mutation sent with GET is refused (403 without a CSRF header, 405 with one) and changes nothing', async () => {
    const query = encodeURIComponent('mutation { deleteNodePool(id: "5") { __typename } }');
    const headers = { accept: 'application/json', authorization: 'Bearer demo-admin' };
    const simple = await fetch(`${m.stack.url}/graphql?query=${query}`, { headers });
    expect(simple.status).toBe(403);
    await simple.body?.cancel();
    const deliberate = await fetch(`${m.stack.url}/graphql?query=${query}`, {
      headers: { ...headers, 'x-graphql-yoga-csrf': '1' },
    });
    expect(deliberate.status).toBe(405);
    await deliberate.body?.cancel();
    expect(m.stack.simulator.requests).toHaveLength(0);
  });
});

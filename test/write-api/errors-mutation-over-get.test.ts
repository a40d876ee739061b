import { describe, expect, it } from 'vitest';
import { useMutations } from '../helpers/errors.js';

const m = useMutations();

describe('transport', () => {
  it('a mutation sent with GET is refused (405 with a token; 403 without a token or CSRF header) and changes nothing', async () => {
    const query = encodeURIComponent('mutation { deleteNodePool(id: "5") { __typename } }');
    const withToken = await fetch(`${m.stack.url}/graphql?query=${query}`, {
      headers: { accept: 'application/json', authorization: 'Bearer demo-admin' },
    });
    expect(withToken.status).toBe(405);
    await withToken.body?.cancel();
    const simple = await fetch(`${m.stack.url}/graphql?query=${query}`, {
      headers: { accept: 'application/json' },
    });
    expect(simple.status).toBe(403);
    await simple.body?.cancel();
    expect(m.stack.simulator.requests).toHaveLength(0);
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, stackWith, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
// Unset when beforeAll failed.
afterAll(() => stack?.stop());

describe('query limits (defaults)', () => {
  it('let the reference dashboard query through', async () => {
    const res = await stack.query(
      readFileSync(new URL('../documents/dashboard.graphql', import.meta.url), 'utf8'),
    );
    expect(res.errors).toBeUndefined();
  });

  it('refuse 500 aliases before any upstream call, naming the limit', async () => {
    stack.simulator.clearRequests();
    const query = `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: nodePoolCount`).join(' ')} }`;
    const res = await stack.query(query);
    expect(res.errors?.[0]?.message).toMatch(/Aliases limit of 50 exceeded, found 500/);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuse a 20,000-token query', async () => {
    const query = `{ nodePools { edges { node { ${Array.from({ length: 6700 }, () => 'name').join(' ')} } } } }`;
    const res = await stack.query(query);
    expect(res.errors?.[0]?.message).toMatch(/Token limit of 2000 exceeded/);
  });

  it('refuse a request body over the size cap with 413', async () => {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(300 * 1024) } }),
    });
    expect(res.status).toBe(413);
  });

  it('refuse a GET without a CSRF header (a cross-site request cannot set one), and accept it with one', async () => {
    const simple = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(simple.status).toBe(403);
    const deliberate = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
    });
    expect(deliberate.status).toBe(200);
  });
});

describe('cost limit', () => {
  it('weighs a page size passed as a variable as it weighs the literal, before any call', async () => {
    const strict = await stackWith({ maxCost: 1_000 });
    const page = 'query($n: Int) { nodePools(first: $n) { edges { node { name phase } } } }';
    const literal = await strict.query('{ nodePools(first: 400) { edges { node { name phase } } } }');
    const variable = await strict.query(page, { n: 400 });
    for (const res of [literal, variable]) {
      expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_LIMIT_EXCEEDED');
      expect(res.errors?.[0]?.message).toMatch(
        /cost limit of 1000 exceeded: the answer could hold 1601 values/,
      );
    }
    expect(strict.simulator.requests).toHaveLength(0);
    expect((await strict.query(page, { n: 100 })).errors).toBeUndefined();
  });

  it('counts metric samples and types, so a small document cannot ask for a huge answer', async () => {
    const res = await stack.query(
      '{ nodePools(first: 200) { edges { node { metrics(types: [GPU_UTILIZATION, CPU_UTILIZATION, TOTAL_GPU, GPU_QUOTA, ALLOCATED_GPU], window: { samples: 1000 }) { series { samples { timestamp value } } } } } } }',
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_LIMIT_EXCEEDED');
  });
});

describe('switches', () => {
  it('turn off introspection and field suggestions, and GraphiQL', async () => {
    const locked = await stackWith({ introspection: false, hideFieldSuggestions: true, graphiql: false });
    const intro = await locked.query('{ __schema { types { name } } }');
    expect(intro.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await locked.query('{ nodePool(id: "1") { nme } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const page = await fetch(`${locked.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('graphiql');

    const open = await stack.query('{ nodePool(id: "1") { nme } }');
    expect(open.errors?.[0]?.message).toMatch(/Did you mean "name"/);
  });

  it('apply limits set by configuration', async () => {
    const strict = await stackWith({ maxDepth: 3, maxAliases: 1 });
    const deep = await strict.query('{ nodePools { edges { node { status { nodes } } } } }');
    expect(deep.errors?.[0]?.message).toMatch(/depth limit of 3 exceeded/i);
    const aliased = await strict.query('{ a: nodePoolCount b: nodePoolCount }');
    expect(aliased.errors?.[0]?.message).toMatch(/Aliases limit of 1 exceeded/);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusOfCode } from '../../src/domain/errors.js';
import { type Answer, codesOf, expectContract, get, post, postSse } from '../helpers/http.js';
import { Collected, wsClient } from '../helpers/live.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * One error contract, whatever path a request takes (README "Errors"): every
 * error carries `extensions.code` and the status its code stands for; a
 * response is a 200 when the operation ran and has `data`, else the status of
 * its errors. Each case below was answered differently before.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent', pollIntervalMs: 500 } });
});
afterAll(() => stack.stop());
beforeEach(() => {
  stack.simulator.clearRequests();
  stack.simulator.faults.reset();
});

const contract = (answer: Answer) => expectContract(answer, statusOfCode);
const query = (text: string, variables?: unknown) => post(stack.url, { query: text, variables });
const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: nodePoolCount`).join(' ');

describe('request errors (the operation did not run): no data, 4xx, a code', () => {
  it.each([
    ['aliases', `{ ${aliases(60)} }`],
    ['depth', '{ nodePools { edges { node { status { placementStrategy { cpu } } } } } }', { maxDepth: 3 }],
    [
      'cost',
      `{ nodePools(first: 500) { edges { node { ${'status { nodes } '.repeat(1)} } } } }`,
      { maxCost: 10 },
    ],
    ['directives', `{ nodePoolCount ${'@include(if: true) '.repeat(30)} }`],
    ['tokens', `{ nodePools { edges { node { ${'name '.repeat(2_100)} } } } }`],
  ])('a document over the %s limit is QUERY_LIMIT_EXCEEDED (400)', async (_limit, text, config?: object) => {
    const target = config ? await startStack({ config: { logLevel: 'silent', ...config } }) : stack;
    try {
      const answer = await post(target.url, { query: text });
      contract(answer);
      expect(answer.status).toBe(400);
      expect(codesOf(answer.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
      expect(answer.body).not.toHaveProperty('data');
    } finally {
      if (target !== stack) await target.stop();
    }
  });

  it.each([
    ['a list query', 'query($n: Int) { nodePools(first: $n) { edges { node { name } } } }', { n: 'ten' }],
    ['a single-pool query', 'query($id: ID!) { nodePool(id: $id) { name } }', { id: { raw: 5 } }],
  ])('variables of the wrong type are BAD_USER_INPUT (400) on %s', async (_kind, text, variables) => {
    const answer = await query(text, variables);
    contract(answer);
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['BAD_USER_INPUT']);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it.each([
    ['variables', { query: '{ __typename }', variables: '{"a":' }],
    ['extensions', { query: '{ __typename }', extensions: '{oops' }],
  ])('a GET with malformed %s is BAD_REQUEST (400), not a 500', async (_param, params) => {
    const answer = await get(stack.url, params);
    contract(answer);
    expect(answer.status).toBe(400);
    expect(codesOf(answer.body)).toEqual(['BAD_REQUEST']);
  });

  it('a cross-site GET without a CSRF header is FORBIDDEN (403)', async () => {
    const res = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    const answer: Answer = { status: res.status, contentType: '', body: await res.json() };
    contract(answer);
    expect(codesOf(answer.body)).toEqual(['FORBIDDEN']);
    expect(answer.body.errors?.[0]?.message).toMatch(/CSRF/);
  });

  it.each(['{ nodes(ids: ["1"]) { id } }', '{ node(id: "Tm9wZTox") { id } }'])(
    'invalid global ids are BAD_USER_INPUT (400) before any call: %s',
    async (text) => {
      const answer = await query(text);
      contract(answer);
      expect(codesOf(answer.body)).toEqual(['BAD_USER_INPUT']);
      expect(stack.simulator.requests).toHaveLength(0);
    },
  );

  it('a body over the size cap is PAYLOAD_TOO_LARGE (413), in the same JSON shape', async () => {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(300 * 1024) } }),
    });
    const answer: Answer = { status: res.status, contentType: '', body: await res.json() };
    contract(answer);
    expect(codesOf(answer.body)).toEqual(['PAYLOAD_TOO_LARGE']);
  });

  it.each([
    ['a syntax error', '{ nodePools( }', 'GRAPHQL_PARSE_FAILED'],
    ['a validation error', '{ nope }', 'GRAPHQL_VALIDATION_FAILED'],
  ])('%s carries its code: %s → %s', async (_kind, text, code) => {
    const answer = await query(text);
    contract(answer);
    expect(codesOf(answer.body)).toEqual([code]);
  });
});

describe('clients that accept only the legacy application/json', () => {
  it.each([
    ['a document over a limit', `{ ${aliases(60)} }`, undefined, 'QUERY_LIMIT_EXCEEDED'],
    [
      'variables of the wrong type',
      'query($n: Int) { nodePools(first: $n) { edges { node { name } } } }',
      { n: 'ten' },
      'BAD_USER_INPUT',
    ],
    ['an invalid document', '{ nope }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
  ] as const)(
    'get a 200 for %s, as GraphQL over HTTP recommends; the code is the same (%s)',
    async (_refused, text, variables, code) => {
      const answer = await post(stack.url, { query: text, variables }, { accept: 'application/json' });
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(codesOf(answer.body)).toEqual([code]);
    },
  );

  it('still get a 401 without credentials', async () => {
    const unauthenticated = await post(
      stack.url,
      { query: '{ nodePoolCount }' },
      { accept: 'application/json', token: null },
    );
    expect(unauthenticated.status).toBe(401);
  });
});

describe('callers without credentials: one rule for every operation type', () => {
  it.each([
    ['a query', '{ nodePools { edges { node { name } } } }'],
    ['a mutation', 'mutation { deleteNodePool(id: "5") { __typename } }'],
  ])('%s is refused before it runs: 401 UNAUTHENTICATED, no data, no call', async (_kind, text) => {
    const answer = await post(stack.url, { query: text }, { token: null });
    contract(answer);
    expect(answer.status).toBe(401);
    expect(codesOf(answer.body)).toEqual(['UNAUTHENTICATED']);
    expect(answer.body).not.toHaveProperty('data');
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('introspection needs no credentials', async () => {
    const answer = await post(stack.url, { query: '{ __schema { queryType { name } } }' }, { token: null });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('a token longer than any real one is refused the same way, never sent on', async () => {
    const answer = await post(stack.url, { query: '{ nodePoolCount }' }, { token: 'x'.repeat(9_000) });
    contract(answer);
    expect(codesOf(answer.body)).toEqual(['UNAUTHENTICATED']);
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

describe('execution errors (the operation ran): 200 with data, a code per error', () => {
  it('a Run:ai outage under a non-null mutation field gives data: null with a 200', async () => {
    stack.simulator.faults.failNext(1, 503, { operation: 'create_nodepool' });
    const answer = await query(
      'mutation { createNodePool(input: { name: "x1", clusterId: "d73a738f-fab3-430a-8fa3-5241493d7128", labelKey: "k", labelValue: "v" }) { __typename } }',
    );
    contract(answer);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toBeNull();
    expect(codesOf(answer.body)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('a field that fails beside others keeps the others', async () => {
    stack.simulator.faults.failNext(1, 404, { operation: 'count_nodepools' });
    const answer = await query('{ nodePoolCount nodePool(id: "2") { name } }');
    contract(answer);
    expect(answer.body.data).toEqual({ nodePoolCount: null, nodePool: { name: expect.any(String) } });
    expect(codesOf(answer.body)).toEqual(['NOT_FOUND']);
  });
});

describe('the same contract over SSE', () => {
  it('a refused request answers with its status and a coded error event', async () => {
    const refused = await postSse(stack.url, { query: `{ ${aliases(60)} }` });
    expect(refused.status).toBe(400);
    expect(codesOf(refused.first ?? {})).toEqual(['QUERY_LIMIT_EXCEEDED']);
    const badInput = await postSse(stack.url, {
      query: 'subscription($f: PhaseChangeFilter) { nodePoolPhaseChanged(filter: $f) { phase } }',
      variables: { f: { ids: ['not-an-id'] } },
    });
    expect(badInput.status).toBe(400);
    expect(codesOf(badInput.first ?? {})).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the same contract over graphql-ws', () => {
  // A document refused before it runs (a limit, bad syntax) gets an `error` message; an operation that
  // the pipeline refuses as it starts (its arguments, its cost) gets one `next` with the errors and no
  // data, then `complete`: the body HTTP and SSE send. Either way, only that operation ends.
  it('a refused subscription ends alone, with its coded errors; the connection and its other subscriptions live on', async () => {
    const client = wsClient(stack.url);
    try {
      const kept = new Collected(client);
      await expect.poll(() => stack.app.live?.subscriptions).toBe(1);
      const refusals = [
        new Collected(
          client,
          {},
          `subscription { nodePoolPhaseChanged { ${Array.from({ length: 60 }, (_, i) => `a${i}: phase`).join(' ')} } }`,
        ),
        new Collected(
          client,
          { f: { ids: ['x'] } },
          'subscription($f: PhaseChangeFilter) { nodePoolPhaseChanged(filter: $f) { phase } }',
        ),
        new Collected(
          client,
          {},
          'subscription { nodePoolPhaseChanged { nodePool { metrics(types: []) { missingTypes } } } }',
        ),
      ];
      for (const refused of refusals) await refused.until((c) => c.done);
      const codes = refusals.map(
        (r) => (r.errors.flat()[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code,
      );
      expect(codes).toEqual(['QUERY_LIMIT_EXCEEDED', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
      expect(kept.done).toBe(false);
      // The kept subscription still receives changes on the same connection.
      stack.simulator.setPhase('2', 'Unschedulable');
      await kept.until((c) => c.events.some((e) => e.phase === 'Unschedulable'));
      kept.unsubscribe();
    } finally {
      await client.dispose();
    }
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

const POOL = '{ name }';
const cases: [string, string, Record<string, unknown>, RegExp][] = [
  [
    'first above 500',
    `{ nodePools(first: 501) { edges { node ${POOL} } } }`,
    {},
    /first: must be between 0 and 500/,
  ],
  [
    'last above 500',
    `{ nodePools(last: 501) { edges { node ${POOL} } } }`,
    {},
    /last: must be between 0 and 500/,
  ],
  [
    'first and last together',
    `{ nodePools(first: 2, last: 2) { edges { node ${POOL} } } }`,
    {},
    /last: cannot be combined with first/,
  ],
  [
    'a cursor that is not one',
    `{ nodePools(after: "bogus") { edges { node ${POOL} } } }`,
    {},
    /after: is not a cursor/,
  ],
  [
    'a window with start after end',
    `{ nodePool(id: "2") { metrics(types: [GPU_UTILIZATION], window: { start: "2025-02-10T12:00:00Z", end: "2025-02-10T11:00:00Z" }) { missingTypes } } }`,
    {},
    /start must be before end/,
  ],
  [
    'samples above 1000',
    `{ nodePool(id: "2") { metrics(types: [GPU_UTILIZATION], window: { samples: 1001 }) { missingTypes } } }`,
    {},
    /must be at most 1000/,
  ],
  [
    'an empty list of metric types',
    `{ nodePool(id: "2") { metrics(types: []) { missingTypes } } }`,
    {},
    /must name at least one metric type/,
  ],
  [
    'a comma in a filter value',
    `{ nodePools(filter: { name: { contains: "a,b" } }) { edges { node ${POOL} } } }`,
    {},
    /cannot contain a comma: Run:ai joins filters with commas/,
  ],
  [
    'a comma in the count filter',
    `{ nodePoolCount(filter: { gpuNetworkAccelerationLabelKey: { eq: "x,y" } }) }`,
    {},
    /cannot contain a comma/,
  ],
  [
    'a malformed UUID',
    `{ nodePools(filter: { clusterId: { eq: "not-a-uuid" } }) { edges { node ${POOL} } } }`,
    {},
    /UUID/,
  ],
  ['a malformed UUID for the legacy list', `{ legacyNodePools(clusterId: "1234") { id } }`, {}, /UUID/],
  [
    'a global id of another type',
    'query($id: ID!) { nodePool(id: $id) { name } }',
    { id: Buffer.from('LegacyNodePool:5').toString('base64') },
    /global id of a LegacyNodePool, not of a NodePool/,
  ],
  [
    'an id that is neither global nor numeric',
    `{ nodePool(id: "abc") ${POOL} }`,
    {},
    /neither a NodePool global id nor/,
  ],
  [
    'an unknown enum value',
    `{ nodePools(filter: { phase: { eq: Sleeping } }) { edges { node ${POOL} } } }`,
    {},
    /Sleeping/,
  ],
];

describe('bad input', () => {
  it.each(cases)(
    'refuses %s with BAD_USER_INPUT and no upstream call',
    async (_name, query, variables, message) => {
      const res = await stack.query(query, variables);
      expect(res.errors?.length).toBeGreaterThan(0);
      const [error] = res.errors ?? [];
      expect(error?.message).toMatch(message);
      // Validation errors from graphql-js itself (enum, scalar literals) carry GRAPHQL_VALIDATION_FAILED.
      expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(error?.extensions?.code);
      expect(stack.simulator.requests).toHaveLength(0);
    },
  );

  it('reports every broken rule of one field at once, with its path', async () => {
    const res = await stack.query(
      '{ nodePools(first: 501, filter: { name: { eq: "a,b", endsWith: "c,d" } }) { edges { node { name } } } }',
    );
    const error = res.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    const paths = ((error?.extensions?.fields ?? []) as { path: string }[]).map((f) => f.path).sort();
    expect(paths).toEqual(['filter.name.endsWith', 'filter.name.eq', 'first']);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('answers a variable that is not a valid DateTime with BAD_USER_INPUT and no upstream call', async () => {
    const res = await stack.query(
      'query($start: DateTime) { nodePool(id: "2") { metrics(types: [GPU_UTILIZATION], window: { start: $start }) { missingTypes } } }',
      { start: 'yesterday' },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

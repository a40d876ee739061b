import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { statusOfCode } from '../../src/domain/errors.js';
import { codesOf, expectContract, post } from '../helpers/http.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Strict input, checked before any call to Run:ai: malformed cursors and ids,
 * empty filter values and over-long strings are refused with BAD_USER_INPUT,
 * and nothing a caller sends can make Run:ai (or a proxy in front of it)
 * refuse an over-long request line or header (414, 431).
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

const cursor = (text: string) => Buffer.from(`OffsetConnection:${text}`).toString('base64');
const globalId = (text: string) => Buffer.from(text).toString('base64');

async function expectRefused(query: string, variables: Record<string, unknown>, message: RegExp) {
  const answer = await post(stack.url, { query, variables });
  expectContract(answer, statusOfCode);
  expect(codesOf(answer.body)).toEqual(['BAD_USER_INPUT']);
  expect(answer.body.errors?.[0]?.message).toMatch(message);
  expect(stack.simulator.requests).toHaveLength(0);
}

const PAGE = 'query($after: String) { nodePools(after: $after) { edges { node { name } } } }';
const POOL = 'query($id: ID!) { nodePool(id: $id) { name } }';
const FILTER = 'query($filter: NodePoolFilter) { nodePools(filter: $filter) { edges { node { name } } } }';

describe('cursors', () => {
  it.each(['1e3', '0x10', '1.5', '-1', ' 5', '05', '2147483647', '99999999999'])(
    'refuses a cursor with offset "%s"',
    (offset) => expectRefused(PAGE, { after: cursor(offset) }, /after: is not a cursor/),
  );

  it('accepts the cursors it hands out, up to the largest int32 offset', async () => {
    const answer = await post(stack.url, { query: PAGE, variables: { after: cursor('2147483646') } });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ nodePools: { edges: [] } });
  });
});

describe('ids', () => {
  it.each([
    ' 5',
    '5 ',
    '5a',
    '-5',
    '5.0',
    '+5',
    '1'.repeat(20),
    '',
    globalId('NodePool:5x'),
    globalId('Cluster:5'),
  ])('refuses the node pool id "%s"', (id) => expectRefused(POOL, { id }, /id: /));

  it.each([
    ['a raw id', '2'],
    ['a global id', globalId('NodePool:2')],
  ])('accepts %s (%s)', async (_kind, id) => {
    const answer = await post(stack.url, { query: POOL, variables: { id } });
    expect(answer.body.errors).toBeUndefined();
  });
});

describe('strings', () => {
  it.each(['eq', 'ne', 'contains', 'notContains', 'startsWith', 'endsWith'])(
    'refuses an empty %s filter value',
    (op) => expectRefused(FILTER, { filter: { name: { [op]: '' } } }, /must not be empty/),
  );

  it.each([
    ['a 20,000-character id', POOL, { id: '9'.repeat(20_000) }, /id: is neither/],
    [
      'a 20,000-character filter value',
      FILTER,
      { filter: { name: { eq: 'a'.repeat(20_000) } } },
      /filter.name.eq: must be at most 317 characters/,
    ],
    [
      'a pool name past 63 characters',
      'mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { ... on ValidationError { fields { path message } } } }',
      {
        input: {
          name: `a${'b'.repeat(63)}`,
          clusterId: 'd73a738f-fab3-430a-8fa3-5241493d7128',
          labelKey: 'k',
          labelValue: 'v',
        },
      },
      /"path":"input.name","message":"must be at most 63 characters"/,
    ],
  ])('caps %s', async (_what, query, variables, message) => {
    const answer = await post(stack.url, { query, variables });
    expect(JSON.stringify(answer.body)).toMatch(message);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('never lets input provoke an upstream 414 or 431: any string in any text argument is refused or sent', async () => {
    // Lengths spread up to 40,000 on purpose: left to itself fast-check keeps strings short.
    const long = (unit: fc.Arbitrary<string>) =>
      fc.nat({ max: 40_000 }).chain((n) => fc.string({ unit, minLength: n, maxLength: n }));
    const text = fc.oneof(
      long(fc.constantFrom('9', '0')),
      long(fc.constantFrom('a', ',', '%', ' ', 'é', '/', '=')),
      fc.string({ unit: 'grapheme', maxLength: 4_000 }),
    );
    const operations: [string, (s: string) => Record<string, unknown>][] = [
      [POOL, (s) => ({ id: s })],
      [
        FILTER,
        (s) => ({ filter: { name: { contains: s }, gpuNetworkAccelerationLabelKey: { eq: s, ne: s } } }),
      ],
      [
        'mutation($k: String!, $v: String!) { patchNodePool(id: "2", input: { labelKey: $k, labelValue: $v }) { __typename } }',
        (s) => ({ k: s, v: s }),
      ],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), text, async ([query, variables], s) => {
        const answer = await post(stack.url, { query, variables: variables(s) });
        for (const error of answer.body.errors ?? []) {
          const upstream = error.extensions?.['upstream'] as { status?: number } | undefined;
          expect([414, 431]).not.toContain(upstream?.status);
          expect(error.extensions?.code).not.toBe('UPSTREAM_ERROR');
        }
      }),
      { numRuns: 60 },
    );
  });
});

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';
import { differences, type Outcome, postOperation, subscriptionOutcome } from './gateway-calls.js';
import { collectLeaves, harvestQueries } from './observed-values.js';
import {
  type ArgumentSite,
  argumentSites,
  caseArbitrary,
  type GraphQLRequest,
  operationsOf,
  probeOf,
} from './schema-operations.js';
import {
  inputBreadth,
  type JsonValue,
  type ObservedValues,
  type Scalars,
  scalarArbitraries,
} from './schema-values.js';

/**
 * The promise: any argument accepted as a literal is accepted the same way
 * as a variable, at any depth (the whole argument, one field of an input
 * object, one list item, every leaf). Cases come from the committed schema
 * only, so a new argument or field is covered without touching this file.
 * To replay a failure, pass the seed and path fast-check reported, e.g.
 * FC_SEED=97999615 FC_PATH=2:1:0 npx vitest run <this file> -t 'metrics\(window'
 */

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const sites = argumentSites(schema);

/** Both clocks stand still, so default metrics windows, new pools' dates and lifecycle phases never move. */
const FROZEN_MS = Date.parse('2025-08-01T12:00:00.000Z');
const NEVER_MS = 10 * 365 * 24 * 3_600_000;
/** Time one argument may take, shrinking included; runs left when it is over are skipped. */
const BUDGET_PER_ARGUMENT_MS = 10_000;

/** More runs for arguments with more to vary: every field of an input object, every item of a list. */
const runsFor = (site: ArgumentSite) => Math.min(120, 20 + 6 * inputBreadth(site.argument.type));

const replay = process.env['FC_SEED']
  ? {
      seed: Number(process.env['FC_SEED']),
      ...(process.env['FC_PATH'] ? { path: process.env['FC_PATH'] } : {}),
    }
  : {};

let stack: Stack;
let scalars: Scalars;
beforeAll(async () => {
  stack = await startStack({
    config: { logLevel: 'silent' },
    now: () => new Date(FROZEN_MS),
    simulator: { now: () => FROZEN_MS, delays: { create: NEVER_MS, update: NEVER_MS, delete: NEVER_MS } },
  });
  scalars = scalarArbitraries(await observeSeed());
});
afterAll(() => stack?.stop());

/** Values the seed shows through every root query field, so generated filters, ids and cursors can hit data. */
async function observeSeed(): Promise<ObservedValues> {
  const observed = new Map<string, JsonValue[]>();
  const query = schema.getQueryType();
  for (const text of harvestQueries(schema)) {
    const { data } = await postOperation(stack.url, { query: text, variables: {} });
    if (query) collectLeaves(schema, query, data, observed);
  }
  return observed;
}

/** Sends one form of a case; every run starts from the seed, since mutations change pools and the next id. */
function send(site: ArgumentSite, request: GraphQLRequest): Promise<Outcome> {
  stack.simulator.reset();
  if (site.operation === 'subscription') {
    return subscriptionOutcome(stack.url, request, () => stack.app.live?.subscriptions ?? 0);
  }
  return postOperation(stack.url, request);
}

/** Both forms of a failing case, with their error messages: enough to replay it by hand. */
function explain(
  literal: GraphQLRequest,
  expected: Outcome,
  variables: GraphQLRequest,
  actual: Outcome,
): string {
  return [
    'the variables form answered differently from the literal form',
    `literal:   ${literal.query}`,
    `           errors: ${JSON.stringify(expected.messages)}`,
    `variables: ${variables.query}`,
    `           ${JSON.stringify(variables.variables)}`,
    `           errors: ${JSON.stringify(actual.messages)}`,
  ].join('\n');
}

describe('arguments as variables', () => {
  it('has values for every scalar the arguments take', () => {
    for (const site of sites) expect(() => caseArbitrary(site, scalars), site.label).not.toThrow();
  });

  it('reaches the parent of every nested field with arguments through its path', async () => {
    for (const site of sites.filter((s) => s.path.length > 0)) {
      const { request, reached } = probeOf(site);
      const outcome = await postOperation(stack.url, request);
      expect(reached(outcome.data), `${site.label}: ${request.query}`).toBe(true);
    }
  });

  for (const site of sites) {
    it(
      `${site.label}: the same answer with variables as with literals`,
      async () => {
        await fc.assert(
          fc.asyncProperty(caseArbitrary(site, scalars), async (c) => {
            const { literal, variables } = operationsOf(site, c);
            const expected = await send(site, literal);
            const actual = await send(site, variables);
            expect(differences(expected, actual), explain(literal, expected, variables, actual)).toEqual([]);
          }),
          {
            numRuns: runsFor(site),
            plugins: [fc.interruptAfterTimeLimit(BUDGET_PER_ARGUMENT_MS)],
            ...replay,
          },
        );
      },
      BUDGET_PER_ARGUMENT_MS + 10_000,
    );
  }
});

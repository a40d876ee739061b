import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, get, post, postSse } from '../helpers/http.js';
import { wsClient } from '../helpers/live.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { postOperation } from './gateway-calls.js';
import { collectLeaves, harvestQueries } from './observed-values.js';
import { argumentSites, caseArbitrary, operationsOf } from './schema-operations.js';
import { type JsonValue, type Scalars, scalarArbitraries } from './schema-values.js';

/**
 * The promise behind maxUpstreamCalls: the Run:ai calls an operation
 * makes never exceed what the gateway predicted before it ran, on whichever
 * transport it came. Cases come from the committed schema (every argument
 * of every query and mutation field, with values that hit the seed), each
 * over a generated transport (POST, GET for queries, SSE, graphql-ws), so a
 * new field whose calls are not declared fails here.
 */

type Transport = 'POST' | 'GET' | 'SSE' | 'graphql-ws';

/** Sends a request over one transport; resolves what a client receives: the body of the (first) result. */
async function over(
  transport: Transport,
  url: string,
  request: { query: string; variables: Record<string, unknown>; extensions: Record<string, unknown> },
): Promise<Answer['body']> {
  if (transport === 'POST') return (await post(url, request, { accept: 'application/json' })).body;
  if (transport === 'GET') {
    const params = {
      query: request.query,
      variables: JSON.stringify(request.variables),
      extensions: JSON.stringify(request.extensions),
    };
    return (await get(url, params)).body;
  }
  if (transport === 'SSE') return (await postSse(url, request)).first ?? {};
  const client = wsClient(url);
  try {
    return await new Promise<Answer['body']>((resolve) => {
      client.subscribe(request, {
        next: (result) => resolve(result as Answer['body']),
        error: (error) => resolve({ errors: Array.isArray(error) ? error : [] }),
        complete: () => resolve({}),
      });
    });
  } finally {
    await client.dispose();
  }
}

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const sites = argumentSites(schema).filter((site) => site.operation !== 'subscription');
const FROZEN_MS = Date.parse('2025-08-01T12:00:00.000Z');
const NEVER_MS = 10 * 365 * 24 * 3_600_000;
const BUDGET_PER_ARGUMENT_MS = 5_000;

let stack: Stack;
let scalars: Scalars;
beforeAll(async () => {
  stack = await startStack({
    config: { logLevel: 'silent', maxUpstreamCalls: 1_000_000 },
    now: () => new Date(FROZEN_MS),
    simulator: { now: () => FROZEN_MS, delays: { create: NEVER_MS, update: NEVER_MS, delete: NEVER_MS } },
  });
  const observed = new Map<string, JsonValue[]>();
  const query = schema.getQueryType();
  for (const text of harvestQueries(schema)) {
    const { data } = await postOperation(stack.url, { query: text, variables: {} });
    if (query) collectLeaves(schema, query, data, observed);
  }
  scalars = scalarArbitraries(observed);
});
afterAll(() => stack?.stop());

/** The transports a site's operation may take: mutations never over GET. */
const transports = (site: (typeof sites)[number]) =>
  fc.constantFrom<Transport>(
    ...(site.operation === 'mutation' ? [] : (['GET'] as const)),
    'POST',
    'SSE',
    'graphql-ws',
  );

describe('the Run:ai call prediction is an upper bound', () => {
  for (const site of sites) {
    it(
      `${site.label}: makes no more calls than predicted`,
      async () => {
        await fc.assert(
          fc.asyncProperty(caseArbitrary(site, scalars), transports(site), async (c, transport) => {
            const { literal } = operationsOf(site, c);
            stack.simulator.reset();
            const body = await over(transport, stack.url, {
              ...literal,
              extensions: { upstreamCallBudget: true },
            });
            const made = stack.simulator.requests.length;
            // A refused operation made no call; one that ran reports its prediction.
            if (!('data' in body)) {
              expect(made, literal.query).toBe(0);
              return;
            }
            const predicted = (
              body['extensions'] as { upstreamCallBudget?: { predicted: number } } | undefined
            )?.upstreamCallBudget?.predicted;
            expect(predicted, `${transport} ${literal.query}`).toBeTypeOf('number');
            expect(made, `${transport} ${literal.query}`).toBeLessThanOrEqual(predicted as number);
          }),
          { numRuns: 20, plugins: [fc.interruptAfterTimeLimit(BUDGET_PER_ARGUMENT_MS)] },
        );
      },
      BUDGET_PER_ARGUMENT_MS + 10_000,
    );
  }
});

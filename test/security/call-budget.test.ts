import { print } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/graphql/context.js';
import { readCredentials } from '../../src/http/credentials.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { UpstreamHttp } from '../../src/upstream/http.js';
import { DashboardDocument } from '../generated/graphql.js';
import { codesOf, get, post, postSse } from '../helpers/http.js';
import { type WsOutcome, wsClient, wsOperation } from '../helpers/live.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Finding 3 of the third security round: one small query made thousands of
 * Run:ai calls, within every limit priced in answer values. The gateway now
 * predicts an operation's Run:ai calls before any call and refuses one over
 * maxUpstreamCalls, on every transport.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { pools: 600 }, config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

/** 100 pools × 50 metrics windows that differ by one sample: 5,001 calls before the budget. */
function aliasedWindows(pools: number): string {
  const fields = Array.from(
    { length: 50 },
    (_, i) =>
      `m${i}: metrics(types: [GPU_UTILIZATION], window: { samples: ${i + 1} }) { series { latest { value } } }`,
  );
  return `{ nodePools(first: ${pools}) { edges { node { id ${fields.join(' ')} } } } }`;
}

const ATTACK = aliasedWindows(100);
const MANY_IDS = `{ nodes(ids: [${Array.from({ length: 500 }, (_, i) => `"${Buffer.from(`NodePool:${i + 1}`).toString('base64')}"`).join(', ')}]) { id } }`;

async function overWebSocket(query: string): Promise<WsOutcome> {
  const client = wsClient(stack.url, 'demo-admin');
  try {
    return await wsOperation(client, { query }).outcome;
  } finally {
    await client.dispose();
  }
}

describe('a Run:ai call budget per operation', () => {
  it('refuses the 5.5 KB aliased-windows query before any call, over POST, GET, SSE and graphql-ws', async () => {
    expect(ATTACK.length).toBeLessThan(5_600);
    const viaPost = await post(stack.url, { query: ATTACK });
    expect(viaPost.status).toBe(400);
    expect(codesOf(viaPost.body)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(viaPost.body.errors?.[0]?.message).toMatch(/could make 5001 calls to Run:ai/);
    expect(viaPost.body.errors?.[0]?.extensions?.['upstreamCallBudget']).toEqual({
      predicted: 5001,
      limit: 200,
    });

    const viaGet = await get(stack.url, { query: ATTACK });
    expect([viaGet.status, codesOf(viaGet.body)]).toEqual([400, ['QUERY_LIMIT_EXCEEDED']]);
    const viaSse = await postSse(stack.url, { query: ATTACK });
    expect(viaSse.first?.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(await overWebSocket(ATTACK)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('prices a page by its size: first: 500 with 50 windows would be 25,002 calls (the largest page needs the count)', async () => {
    const answer = await post(stack.url, { query: aliasedWindows(500) });
    expect(answer.body.errors?.[0]?.extensions?.['upstreamCallBudget']).toEqual({
      predicted: 25_002,
      limit: 200,
    });
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses nodes(ids:) with 500 unknown ids, which could cost 501 calls, before any call', async () => {
    const answer = await post(stack.url, { query: MANY_IDS });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.['upstreamCallBudget']).toEqual({
      predicted: 501,
      limit: 200,
    });
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('counts a page size given as a variable like its literal', async () => {
    const answer = await post(stack.url, {
      query:
        'query($n: Int) { nodePools(first: $n) { edges { node { a: metrics(types: [GPU_UTILIZATION]) { series { type } } b: metrics(types: [GPU_UTILIZATION], window: { samples: 5 }) { series { type } } } } } }',
      variables: { n: 150 },
    });
    expect(answer.body.errors?.[0]?.extensions?.['upstreamCallBudget']).toEqual({
      predicted: 301,
      limit: 200,
    });
  });
});

describe('the prediction, shown to the caller', () => {
  const ask = { upstreamCallBudget: true };

  it('equals the calls the simulator counts for the reference dashboard: 52', async () => {
    const answer = await post(stack.url, { query: print(DashboardDocument), extensions: ask });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body['extensions']).toEqual({
      upstreamCallBudget: { predicted: 52, limit: 200, made: 52 },
    });
    expect(stack.simulator.requests).toHaveLength(52);
  });

  it.each([
    ['one pool', '{ nodePool(id: "5") { name } }', 1],
    [
      'one pool with two windows and three aliases',
      '{ nodePool(id: "5") { a: metrics(types: [GPU_UTILIZATION]) { series { type } } b: metrics(types: [TOTAL_GPU]) { series { type } } c: metrics(types: [TOTAL_GPU], window: { samples: 3 }) { series { type } } } }',
      3,
    ],
    ['a count', '{ nodePoolCount }', 1],
    ['a page with its total', '{ nodePools(first: 10) { totalCount edges { node { name } } } }', 2],
    ['the last page, which needs the count', '{ nodePools(last: 3) { edges { node { name } } } }', 2],
    [
      'the largest page, which needs the count for hasNextPage',
      '{ nodePools(first: 500) { pageInfo { hasNextPage } } }',
      2,
    ],
    ['only the total', '{ nodePools { totalCount } }', 1],
    [
      'eight ids, one GET each',
      `{ nodes(ids: [${[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `"${Buffer.from(`NodePool:${i}`).toString('base64')}"`).join(',')}]) { id } }`,
      8,
    ],
  ])('equals the calls made for %s', async (_name, query, calls) => {
    const answer = await post(stack.url, { query, extensions: ask }, { accept: 'application/json' });
    expect(answer.body['extensions']).toEqual({
      upstreamCallBudget: { predicted: calls, limit: 200, made: calls },
    });
    expect(stack.simulator.requests).toHaveLength(calls);
  });

  it('counts a deferred fragment apart: its fields may execute after the others have made their calls', async () => {
    const query =
      '{ nodePool(id: "5") { a: metrics(types: [GPU_UTILIZATION]) { series { type } } ... @defer { b: metrics(types: [TOTAL_GPU]) { series { type } } } } }';
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed',
        authorization: 'Bearer demo-admin',
      },
      body: JSON.stringify({ query, extensions: ask }),
    });
    expect(await res.text()).toContain('"predicted":3');
    expect(stack.simulator.requests.length).toBeLessThanOrEqual(3);
  });

  it('writes the prediction beside the calls made in the operation log line', async () => {
    const logged = await startStack({ config: { logLevel: 'info' } });
    try {
      await logged.query('query Two { nodePools(first: 3) { totalCount edges { node { name } } } }');
      const line = logged.logs.find((l) => l['msg'] === 'graphql operation' && l['operation'] === 'Two');
      expect(line).toMatchObject({ upstreamCalls: 2, upstreamCallsPredicted: 2 });
    } finally {
      await logged.stop();
    }
  });
});

describe('the runtime counter, a safety net behind the prediction', () => {
  it('refuses the call past maxUpstreamCalls with QUERY_LIMIT_EXCEEDED, without sending it', async () => {
    const http = new UpstreamHttp({
      baseUrl: stack.simulator.url,
      connectTimeoutMs: 1_000,
      headersTimeoutMs: 1_000,
      totalTimeoutMs: 5_000,
    });
    try {
      const ctx = await createContext(
        { http, log: createLogger('silent'), maxUpstreamCalls: 2 },
        { credentials: readCredentials('Bearer demo-admin'), address: '127.0.0.1' },
      );
      await ctx.api.countNodePools();
      await ctx.api.getNodePool('5');
      await expect(ctx.api.getNodePool('6')).rejects.toMatchObject({
        extensions: { code: 'QUERY_LIMIT_EXCEEDED' },
      });
      expect(stack.simulator.requests).toHaveLength(2);
    } finally {
      await http.close();
    }
  });
});

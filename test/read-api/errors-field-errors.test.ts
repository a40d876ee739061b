import type { Simulator } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config.js';
import {
  asJson,
  expectHttpOk,
  expectSafe,
  expectUpstream,
  type GraphQLError,
  onlyError,
  TWO_FIELDS,
  type TwoFields,
} from '../helpers/errors.js';
import { post } from '../helpers/http.js';
import { stackWith } from '../helpers/stack.js';

type Field = 'count' | 'pool';
/** Run:ai's answer to a field's call: a status, or a 200 whose body is not JSON; `times` in a row. */
type Answer = { status: number | 'garbage'; times?: number; retryAfterSeconds?: number };

const OPERATION = { count: 'count_nodepools', pool: 'get_nodepool' } as const;

function inject(simulator: Simulator, field: Field, answer: Answer): void {
  const operation = OPERATION[field];
  if (answer.status === 'garbage') simulator.faults.garbageNext(answer.times ?? 1, { operation });
  else
    simulator.faults.failNext(answer.times ?? 1, answer.status, {
      operation,
      ...(answer.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: answer.retryAfterSeconds }),
    });
}

describe('upstream errors are field errors', () => {
  // What Run:ai answers one field's call; the code and HTTP status the client sees for that field; the
  // statuses of every request the call made (retries included), the last one being the error's.
  it.each<[string, string, Field, Answer, number, number[], ConfigInput?]>([
    ['401 on one call', 'UNAUTHENTICATED', 'pool', { status: 401 }, 401, [401]],
    ['403', 'FORBIDDEN', 'pool', { status: 403 }, 403, [403]],
    ['404 on a count', 'NOT_FOUND', 'count', { status: 404 }, 404, [404]],
    ['409', 'CONFLICT', 'pool', { status: 409 }, 409, [409]],
    [
      '429 with retries disabled',
      'RATE_LIMITED',
      'count',
      { status: 429, retryAfterSeconds: 1 },
      429,
      [429],
      { upstreamMaxRetries: 0 },
    ],
    [
      '503 three times on a GET (1 + 2 retries)',
      'UPSTREAM_UNAVAILABLE',
      'pool',
      { status: 503, times: 3 },
      503,
      [503, 503, 503],
    ],
    ['500 (not retried)', 'UPSTREAM_ERROR', 'pool', { status: 500 }, 502, [500]],
    [
      'a 200 whose body is not JSON (not retried)',
      'UPSTREAM_BAD_RESPONSE',
      'pool',
      { status: 'garbage' },
      502,
      [200],
    ],
  ])('%s → %s, on the %s field only', async (_when, code, field, answer, http, statuses, config) => {
    const stack = await stackWith(config);
    inject(stack.simulator, field, answer);
    const res = await post<TwoFields>(stack.url, { query: TWO_FIELDS }, asJson());
    const other: Field = field === 'pool' ? 'count' : 'pool';
    expect(res.body.data?.[field]).toBeNull();
    if (other === 'count') expect(res.body.data?.count).toBeGreaterThan(0);
    else expect(res.body.data?.pool?.runaiId).toBe('1');
    expectUpstream(onlyError(res.body, field), {
      code,
      http,
      operation: OPERATION[field],
      status: statuses.at(-1) as number,
    });
    expectSafe(res.body.errors, stack);
    expectHttpOk(res);
    const calls = stack.simulator.requests.filter((r) => r.operation === OPERATION[field]);
    expect(calls.map((r) => r.status)).toEqual(statuses);
    expect(stack.simulator.countRequests({ operation: OPERATION[other] })).toBe(1);
  });

  it('401 (unknown token) → UNAUTHENTICATED on each field, with its own path', async () => {
    const stack = await stackWith();
    const res = await post<TwoFields>(stack.url, { query: TWO_FIELDS }, asJson('nope'));
    expect(res.body.data).toEqual({ count: null, pool: null });
    expect(res.body.errors).toHaveLength(2);
    const byPath = new Map(res.body.errors?.map((e) => [e.path?.[0], e]));
    expectUpstream(byPath.get('count') as GraphQLError, {
      code: 'UNAUTHENTICATED',
      http: 401,
      operation: 'count_nodepools',
      status: 401,
    });
    expectUpstream(byPath.get('pool') as GraphQLError, {
      code: 'UNAUTHENTICATED',
      http: 401,
      operation: 'get_nodepool',
      status: 401,
    });
    expectSafe(res.body.errors, stack, ['nope']);
    // 401 is not retried.
    expect(stack.simulator.requests.map((r) => r.status)).toEqual([401, 401]);
  });

  it('401 (revoked token) → UNAUTHENTICATED once the token is revoked', async () => {
    const stack = await stackWith();
    stack.simulator.setToken('short-lived-token', { tenantId: 1001, role: 'viewer' });
    const before = await post<TwoFields>(stack.url, { query: TWO_FIELDS }, asJson('short-lived-token'));
    expect(before.body.errors).toBeUndefined();
    expect(before.body.data?.pool?.runaiId).toBe('1');

    stack.simulator.setToken('short-lived-token', null);
    const after = await post<{ count: number | null }>(
      stack.url,
      { query: '{ count: nodePoolCount }' },
      asJson('short-lived-token'),
    );
    expect(after.body.data).toEqual({ count: null });
    expectUpstream(onlyError(after.body, 'count'), {
      code: 'UNAUTHENTICATED',
      http: 401,
      operation: 'count_nodepools',
      status: 401,
    });
    expectSafe(after.body.errors, stack, ['short-lived-token', 'demo-admin']);
  });

  it('404 → nodePool(id) is null, without any error', async () => {
    const stack = await stackWith();
    const res = await post<TwoFields>(
      stack.url,
      { query: '{ count: nodePoolCount pool: nodePool(id: "99999") { runaiId } }' },
      asJson(),
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.pool).toBeNull();
    expect(res.body.data?.count).toBeGreaterThan(0);
    const gets = stack.simulator.requests.filter((r) => r.operation === 'get_nodepool');
    expect(gets.map((r) => r.status)).toEqual([404]);
  });

  it('503 twice, then 200 → the retried field has data and no error', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(2, 503, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack.url, { query: TWO_FIELDS }, asJson());
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.pool?.runaiId).toBe('1');
    const gets = stack.simulator.requests.filter((r) => r.operation === 'get_nodepool');
    expect(gets.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('a slow call → UPSTREAM_TIMEOUT on that field, the other still answers', async () => {
    const stack = await stackWith({ upstreamTotalTimeoutMs: 200 });
    stack.simulator.faults.setLatency(1000, { operation: 'count_nodepools' });
    const res = await post<TwoFields>(stack.url, { query: TWO_FIELDS }, asJson());
    expect(res.body.data?.pool?.runaiId).toBe('1');
    expect(res.body.data?.count).toBeNull();
    expectUpstream(onlyError(res.body, 'count'), {
      code: 'UPSTREAM_TIMEOUT',
      http: 504,
      operation: 'count_nodepools',
      status: null,
    });
    expectSafe(res.body.errors, stack);
    expectHttpOk(res);
    // The deadline, not the upstream's latency, ended the call: its one request was abandoned, not answered.
    await stack.simulator.waitForRequest({ operation: 'count_nodepools', aborted: true });
    expect(stack.simulator.requests.filter((r) => r.operation === 'count_nodepools')).toMatchObject([
      { status: 0, aborted: true },
    ]);
  });

  it('an error inside a connection fails the connection field only', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(1, 403, { operation: 'get_nodepools' });
    const res = await post<{ count: number | null; pools: unknown }>(
      stack.url,
      { query: '{ count: nodePoolCount pools: nodePools(first: 2) { edges { node { name } } } }' },
      asJson(),
    );
    expect(res.body.data?.count).toBeGreaterThan(0);
    expect(res.body.data?.pools).toBeNull();
    const error = res.body.errors?.[0] as GraphQLError;
    expect(res.body.errors).toHaveLength(1);
    expect(error.path?.[0]).toBe('pools');
    expectUpstream(error, { code: 'FORBIDDEN', http: 403, operation: 'get_nodepools', status: 403 });
    expectSafe(res.body.errors, stack);
    expectHttpOk(res);
  });

  it('a field error keeps a 2xx status for application/graphql-response+json when data is not null', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(3, 503, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(
      stack.url,
      { query: TWO_FIELDS },
      { accept: 'application/graphql-response+json' },
    );
    expect(res.body.data?.count).toBeGreaterThan(0);
    expect(res.body.data?.pool).toBeNull();
    expect(onlyError(res.body, 'pool').extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    // GraphQL over HTTP: "If the GraphQL response contains the data entry and it is not null,
    // then the server MUST reply with a 2xx status code".
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
  });
});

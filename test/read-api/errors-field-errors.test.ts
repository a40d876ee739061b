import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config.js';
import { type GraphQLResponse, type Stack, startStack } from '../helpers/stack.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stackWith(config: ConfigInput = {}): Promise<Stack> {
  const stack = await startStack({ config: { logLevel: 'silent', ...config } });
  cleanups.push(() => stack.stop());
  return stack;
}

type GraphQLError = NonNullable<GraphQLResponse['errors']>[number];

/** `nodePoolCount` (count_nodepools) next to `nodePool(id: "1")` (get_nodepool): two independent root fields. */
const TWO_FIELDS = '{ count: nodePoolCount pool: nodePool(id: "1") { runaiId name } }';
type TwoFields = { count: number | null; pool: { runaiId: string; name: string } | null };

/**
 * POSTs an operation like `stack.query`, but also returns the HTTP status:
 * a field error must not turn the whole HTTP response into an error.
 */
async function post<T>(
  stack: Stack,
  query: string,
  token: string | null = 'demo-admin',
  accept = 'application/json',
): Promise<GraphQLResponse<T> & { status: number }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query }),
  });
  return { status: res.status, ...((await res.json()) as GraphQLResponse<T>) };
}

/**
 * A response that carries data is a successful HTTP exchange, whatever its
 * field errors (GraphQL over HTTP: `application/json` SHOULD use 200 for
 * every well-formed request; `application/graphql-response+json` MUST use
 * 2xx when `data` is not null).
 */
function expectHttpOk(res: { status: number; data?: unknown }): void {
  expect(res.data).toBeTruthy();
  expect.soft(res.status, 'HTTP status of a response with data and a field error').toBe(200);
}

/** The one error of a response, asserting it is at `path` and that no other field failed. */
function onlyError(res: GraphQLResponse<unknown>, path: string): GraphQLError {
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  const error = res.errors?.[0] as GraphQLError;
  expect(error.path).toEqual([path]);
  return error;
}

/** Every string anywhere inside `value` (keys included). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

/**
 * Errors must not leak the caller's token, the upstream address, nor any
 * stack trace, neither in the message nor in the extensions.
 */
function expectSafe(
  errors: GraphQLResponse['errors'],
  stack: Stack,
  tokens: string[] = ['demo-admin'],
): void {
  for (const error of errors ?? []) {
    const all = strings({ message: error.message, extensions: error.extensions });
    for (const text of all) {
      for (const token of tokens) expect(text, `token ${token} leaked`).not.toContain(token);
      expect(text).not.toContain(stack.simulator.url);
      expect(text).not.toMatch(/\n\s*at\s/);
      expect(text).not.toMatch(/^\s*at\s.+:\d+:\d+\)?$/m);
    }
    expect(all).not.toContain('stack');
    expect(all).not.toContain('stacktrace');
    expect(all).not.toContain('originalError');
  }
}

function expectUpstream(
  error: GraphQLError,
  expected: { code: string; http: number; operation: string; status: number | null },
): void {
  expect(error.extensions?.code, JSON.stringify(error)).toBe(expected.code);
  // Soft: reported with the other failures of the test, if any.
  expect
    .soft(error.extensions?.http, 'extensions.http as the client sees it')
    .toEqual({ status: expected.http });
  const upstream = error.extensions?.upstream as Record<string, unknown> | undefined;
  expect(upstream).toBeDefined();
  expect(upstream?.operation).toBe(expected.operation);
  expect(upstream?.status).toBe(expected.status);
  expect(Object.keys(upstream ?? {}).sort()).toEqual(['code', 'message', 'operation', 'status']);
}

describe('no credentials', () => {
  it('refuses the operation before it runs: 401 UNAUTHENTICATED, no data, no call to Run:ai', async () => {
    const stack = await stackWith();
    const res = await post<TwoFields>(stack, TWO_FIELDS, null);
    expect(res.status).toBe(401);
    expect(res).not.toHaveProperty('data');
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    expectSafe(res.errors, stack);
    expect(stack.simulator.requests.length).toBe(0);
  });
});

describe('upstream errors are field errors', () => {
  it('401 (unknown token) → UNAUTHENTICATED on each field, with its own path', async () => {
    const stack = await stackWith();
    const res = await post<TwoFields>(stack, TWO_FIELDS, 'nope');
    expect(res.data).toEqual({ count: null, pool: null });
    expect(res.errors).toHaveLength(2);
    const byPath = new Map(res.errors?.map((e) => [e.path?.[0], e]));
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
    expectSafe(res.errors, stack, ['nope']);
    // 401 is not retried.
    expect(stack.simulator.requests.map((r) => r.status)).toEqual([401, 401]);
  });

  it('401 on one call fails only that field', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(1, 401, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.data?.count).toBeGreaterThan(0);
    expect(res.data?.pool).toBeNull();
    expectUpstream(onlyError(res, 'pool'), {
      code: 'UNAUTHENTICATED',
      http: 401,
      operation: 'get_nodepool',
      status: 401,
    });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
  });

  it('401 (revoked token) → UNAUTHENTICATED once the token is revoked', async () => {
    const stack = await stackWith();
    stack.simulator.setToken('short-lived-token', { tenantId: 1001, role: 'viewer' });
    const before = await post<TwoFields>(stack, TWO_FIELDS, 'short-lived-token');
    expect(before.errors).toBeUndefined();
    expect(before.data?.pool?.runaiId).toBe('1');

    stack.simulator.setToken('short-lived-token', null);
    const after = await post<{ count: number | null }>(
      stack,
      '{ count: nodePoolCount }',
      'short-lived-token',
    );
    expect(after.data).toEqual({ count: null });
    expectUpstream(onlyError(after, 'count'), {
      code: 'UNAUTHENTICATED',
      http: 401,
      operation: 'count_nodepools',
      status: 401,
    });
    expectSafe(after.errors, stack, ['short-lived-token', 'demo-admin']);
  });

  it('403 → FORBIDDEN on the failing field only', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(1, 403, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.data?.count).toBeGreaterThan(0);
    expect(res.data?.pool).toBeNull();
    const error = onlyError(res, 'pool');
    expectUpstream(error, { code: 'FORBIDDEN', http: 403, operation: 'get_nodepool', status: 403 });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
    expect(stack.simulator.countRequests({ operation: 'get_nodepool' })).toBe(1);
  });

  it('404 → nodePool(id) is null, without any error', async () => {
    const stack = await stackWith();
    const res = await post<TwoFields>(
      stack,
      '{ count: nodePoolCount pool: nodePool(id: "99999") { runaiId } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.pool).toBeNull();
    expect(res.data?.count).toBeGreaterThan(0);
    const gets = stack.simulator.requests.filter((r) => r.operation === 'get_nodepool');
    expect(gets.map((r) => r.status)).toEqual([404]);
  });

  it('404 on a count → NOT_FOUND on that field only', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(1, 404, { operation: 'count_nodepools' });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.data?.pool?.runaiId).toBe('1');
    expect(res.data?.count).toBeNull();
    expectUpstream(onlyError(res, 'count'), {
      code: 'NOT_FOUND',
      http: 404,
      operation: 'count_nodepools',
      status: 404,
    });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
  });

  it('409 → CONFLICT on the failing field only', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(1, 409, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.data?.count).toBeGreaterThan(0);
    expect(res.data?.pool).toBeNull();
    expectUpstream(onlyError(res, 'pool'), {
      code: 'CONFLICT',
      http: 409,
      operation: 'get_nodepool',
      status: 409,
    });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
  });

  it('429 with retries disabled → RATE_LIMITED on the failing field only', async () => {
    const stack = await stackWith({ upstreamMaxRetries: 0 });
    stack.simulator.faults.failNext(1, 429, { operation: 'count_nodepools', retryAfterSeconds: 1 });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.data?.pool?.runaiId).toBe('1');
    expect(res.data?.count).toBeNull();
    expectUpstream(onlyError(res, 'count'), {
      code: 'RATE_LIMITED',
      http: 429,
      operation: 'count_nodepools',
      status: 429,
    });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
    expect(stack.simulator.countRequests({ operation: 'count_nodepools' })).toBe(1);
  });

  it('503 three times on a GET → UPSTREAM_UNAVAILABLE after exactly 3 requests (1 + 2 retries)', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(3, 503, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.data?.count).toBeGreaterThan(0);
    expect(res.data?.pool).toBeNull();
    expectUpstream(onlyError(res, 'pool'), {
      code: 'UPSTREAM_UNAVAILABLE',
      http: 503,
      operation: 'get_nodepool',
      status: 503,
    });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
    const gets = stack.simulator.requests.filter((r) => r.operation === 'get_nodepool');
    expect(gets.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(stack.simulator.countRequests({ operation: 'count_nodepools' })).toBe(1);
  });

  it('503 twice, then 200 → the retried field has data and no error', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(2, 503, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.errors).toBeUndefined();
    expect(res.data?.pool?.runaiId).toBe('1');
    const gets = stack.simulator.requests.filter((r) => r.operation === 'get_nodepool');
    expect(gets.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('500 → UPSTREAM_ERROR (not retried) on the failing field only', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(1, 500, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.data?.count).toBeGreaterThan(0);
    expect(res.data?.pool).toBeNull();
    expectUpstream(onlyError(res, 'pool'), {
      code: 'UPSTREAM_ERROR',
      http: 502,
      operation: 'get_nodepool',
      status: 500,
    });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
    expect(stack.simulator.countRequests({ operation: 'get_nodepool' })).toBe(1);
  });

  it('a slow call → UPSTREAM_TIMEOUT on that field, the other still answers', async () => {
    const stack = await stackWith({ upstreamTotalTimeoutMs: 200 });
    stack.simulator.faults.setLatency(1000, { operation: 'count_nodepools' });
    const started = performance.now();
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    const elapsed = performance.now() - started;
    expect(res.data?.pool?.runaiId).toBe('1');
    expect(res.data?.count).toBeNull();
    expectUpstream(onlyError(res, 'count'), {
      code: 'UPSTREAM_TIMEOUT',
      http: 504,
      operation: 'count_nodepools',
      status: null,
    });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
    // The deadline, not the upstream's latency, bounds the response time.
    expect(elapsed).toBeLessThan(900);
  });

  it('a 200 with a body that is not JSON → UPSTREAM_BAD_RESPONSE (not retried) on that field only', async () => {
    const stack = await stackWith();
    stack.simulator.faults.garbageNext(1, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack, TWO_FIELDS);
    expect(res.data?.count).toBeGreaterThan(0);
    expect(res.data?.pool).toBeNull();
    expectUpstream(onlyError(res, 'pool'), {
      code: 'UPSTREAM_BAD_RESPONSE',
      http: 502,
      operation: 'get_nodepool',
      status: 200,
    });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
    expect(stack.simulator.countRequests({ operation: 'get_nodepool' })).toBe(1);
  });

  it('an error inside a connection fails the connection field only', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(1, 403, { operation: 'get_nodepools' });
    const res = await post<{ count: number | null; pools: unknown }>(
      stack,
      '{ count: nodePoolCount pools: nodePools(first: 2) { edges { node { name } } } }',
    );
    expect(res.data?.count).toBeGreaterThan(0);
    expect(res.data?.pools).toBeNull();
    const error = res.errors?.[0] as GraphQLError;
    expect(res.errors).toHaveLength(1);
    expect(error.path?.[0]).toBe('pools');
    expectUpstream(error, { code: 'FORBIDDEN', http: 403, operation: 'get_nodepools', status: 403 });
    expectSafe(res.errors, stack);
    expectHttpOk(res);
  });

  it('a field error keeps a 2xx status for application/graphql-response+json when data is not null', async () => {
    const stack = await stackWith();
    stack.simulator.faults.failNext(3, 503, { operation: 'get_nodepool' });
    const res = await post<TwoFields>(stack, TWO_FIELDS, 'demo-admin', 'application/graphql-response+json');
    expect(res.data?.count).toBeGreaterThan(0);
    expect(res.data?.pool).toBeNull();
    expect(onlyError(res, 'pool').extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    // GraphQL over HTTP: "If the GraphQL response contains the data entry and it is not null,
    // then the server MUST reply with a 2xx status code".
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
  });
});

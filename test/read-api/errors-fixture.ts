/**
 * Shared set-up of the read error tests (errors-*.test.ts): a gateway per test, and the checks every
 * failing answer must pass.
 */

import { afterAll, expect } from 'vitest';
import type { ConfigInput } from '../../src/config.js';
import { type GraphQLResponse, type Stack, startStack } from '../helpers/stack.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A gateway and simulator of the test's own, stopped after the file. */
export async function stackWith(config: ConfigInput = {}): Promise<Stack> {
  const stack = await startStack({ config: { logLevel: 'silent', ...config } });
  cleanups.push(() => stack.stop());
  return stack;
}

export type GraphQLError = NonNullable<GraphQLResponse['errors']>[number];

/** `nodePoolCount` (count_nodepools) next to `nodePool(id: "1")` (get_nodepool): two independent root fields. */
export const TWO_FIELDS = '{ count: nodePoolCount pool: nodePool(id: "1") { runaiId name } }';
export type TwoFields = { count: number | null; pool: { runaiId: string; name: string } | null };

/**
 * POSTs an operation like `stack.query`, but also returns the HTTP status:
 * a field error must not turn the whole HTTP response into an error.
 */
export async function post<T>(
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
export function expectHttpOk(res: { status: number; data?: unknown }): void {
  expect(res.data).toBeTruthy();
  expect.soft(res.status, 'HTTP status of a response with data and a field error').toBe(200);
}

/** The one error of a response, asserting it is at `path` and that no other field failed. */
export function onlyError(res: GraphQLResponse<unknown>, path: string): GraphQLError {
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
export function expectSafe(
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

export function expectUpstream(
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

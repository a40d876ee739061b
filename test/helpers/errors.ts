/**
 * Shared set-up of the error tests (read-api/errors-*.test.ts and write-api/errors-*.test.ts): the checks
 * every failing answer must pass and, for mutations, one gateway and simulator per file, with mutations
 * run as `mutation { r: <call> { <its payload and errors> } }`.
 */

import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { SendOptions } from './http.js';
import { type GraphQLResponse, type Stack, startStack } from './stack.js';

export type GraphQLError = NonNullable<GraphQLResponse['errors']>[number];

/**
 * The one error of a response, asserting that no other field failed and, when `path` is given, that the
 * error is at that root field.
 */
export function onlyError(res: { errors?: GraphQLError[] | undefined }, path?: string): GraphQLError {
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  const error = res.errors?.[0] as GraphQLError;
  if (path !== undefined) expect(error.path).toEqual([path]);
  return error;
}

// Reads ---------------------------------------------------------------------------------------------------

/** `nodePoolCount` (count_nodepools) next to `nodePool(id: "1")` (get_nodepool): two independent root fields. */
export const TWO_FIELDS = '{ count: nodePoolCount pool: nodePool(id: "1") { runaiId name } }';
export type TwoFields = { count: number | null; pool: { runaiId: string; name: string } | null };

/**
 * How the read error tests send an operation (with `post` of http.ts): as `stack.query` does, asking for
 * `application/json`, with `token` (default demo-admin; `null` sends none).
 */
export const asJson = (token?: string | null): SendOptions => ({ accept: 'application/json', token });

/**
 * A response that carries data is a successful HTTP exchange, whatever its
 * field errors (GraphQL over HTTP: `application/json` SHOULD use 200 for
 * every well-formed request; `application/graphql-response+json` MUST use
 * 2xx when `data` is not null).
 */
export function expectHttpOk(answer: { status: number; body: { data?: unknown } }): void {
  expect(answer.body.data).toBeTruthy();
  expect.soft(answer.status, 'HTTP status of a response with data and a field error').toBe(200);
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

// Mutations -----------------------------------------------------------------------------------------------

export const VIEWER = 'demo-viewer';

/** The union member a mutation returned, as far as the tests read it. */
export interface Result {
  __typename: string;
  message?: string;
  fields?: { path: string; message: string }[];
  nodePool?: { runaiId: string; name: string; labelValue: string } | null;
  accepted?: boolean;
}

const POOL = '{ runaiId name labelValue }';
/** The payload member each mutation's result union has. */
const PAYLOADS: Record<string, string> = {
  createNodePool: `... on CreateNodePoolPayload { nodePool ${POOL} }`,
  updateNodePool: `... on UpdateNodePoolPayload { nodePool ${POOL} }`,
  patchNodePool: `... on UpdateNodePoolPayload { nodePool ${POOL} }`,
  deleteNodePool: `... on DeleteNodePoolPayload { accepted nodePool ${POOL} }`,
  legacyCreateNodePool: '... on LegacyCreateNodePoolPayload { nodePool { name } }',
  legacyUpdateNodePool: '... on LegacyAcceptedPayload { accepted }',
  legacyUpdateNodePoolLabels: '... on LegacyAcceptedPayload { accepted }',
  legacyDeleteNodePool: '... on LegacyAcceptedPayload { accepted }',
};
const resultOf = (call: string) =>
  `{ __typename ${PAYLOADS[call.slice(0, call.indexOf('('))]} ... on ValidationError { fields { path message } } ... on Error { message } }`;
/** The GraphQL types of the variables the calls use. */
const TYPES: Record<string, string> = {
  create: 'CreateNodePoolInput!',
  update: 'UpdateNodePoolInput!',
  patch: 'PatchNodePoolInput!',
  id: 'ID!',
};

export const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');

export interface Mutations {
  readonly stack: Stack;
  /** Runs `mutation { r: <call> { <its payload and errors> } }` and returns the whole response. */
  run(
    call: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<{ r: Result }>>;
  /** The union member a mutation returned, asserting there were no GraphQL errors. */
  result(call: string, variables?: Record<string, unknown>, token?: string | null): Promise<Result>;
  /** A fresh pool in the prod cluster; its raw Run:ai id. The request log is cleared after. */
  freshPool(): Promise<string>;
}

/** The hooks of a write-api/errors-*.test.ts file: a gateway for the file, and no faults nor requests before each test. */
export function useMutations(): Mutations {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack({ config: { logLevel: 'silent' } });
  });
  afterAll(() => stack?.stop());
  beforeEach(() => {
    stack?.simulator.faults.reset();
    stack?.simulator.clearRequests();
  });
  let serial = 0;
  const mutations: Mutations = {
    get stack() {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
    run(call, variables = {}, token) {
      const names = Object.keys(variables);
      const declared = names.length ? `(${names.map((n) => `$${n}: ${TYPES[n]}`).join(', ')})` : '';
      return mutations.stack.query<{ r: Result }>(
        `mutation${declared} { r: ${call} ${resultOf(call)} }`,
        variables,
        token,
      );
    },
    async result(call, variables = {}, token) {
      const res = await mutations.run(call, variables, token);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data?.r as Result;
    },
    async freshPool() {
      const created = await mutations.result('createNodePool(input: $create)', {
        create: {
          name: `err-fixture-${++serial}`,
          clusterId: SEED_CLUSTER_IDS.prod,
          labelKey: 'node-pool-type',
          labelValue: 'a100',
        },
      });
      expect(created.__typename).toBe('CreateNodePoolPayload');
      mutations.stack.simulator.clearRequests();
      return created.nodePool?.runaiId as string;
    },
  };
  return mutations;
}

/**
 * Shared set-up of the mutation error tests (errors-*.test.ts): one gateway and simulator for the file,
 * and mutations run as `mutation { r: <call> { <its payload and errors> } }`.
 */

import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { type GraphQLResponse, type Stack, startStack } from '../helpers/stack.js';

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

export function onlyError(res: GraphQLResponse<unknown>) {
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  return res.errors?.[0] as NonNullable<GraphQLResponse['errors']>[number];
}

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

/** The hooks of an errors-*.test.ts file: a gateway for the file, and no faults nor requests before each test. */
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

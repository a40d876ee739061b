import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GraphQLResponse, type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => {
  stack.simulator.faults.reset();
  stack.simulator.clearRequests();
});

interface Result {
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

/** Runs `mutation { r: <call> { <its payload and errors> } }` and returns the whole response. */
function run(call: string, variables: Record<string, unknown> = {}, token?: string | null) {
  const names = Object.keys(variables);
  const declared = names.length ? `(${names.map((n) => `$${n}: ${TYPES[n]}`).join(', ')})` : '';
  return stack.query<{ r: Result }>(`mutation${declared} { r: ${call} ${resultOf(call)} }`, variables, token);
}
const TYPES: Record<string, string> = {
  create: 'CreateNodePoolInput!',
  update: 'UpdateNodePoolInput!',
  patch: 'PatchNodePoolInput!',
  id: 'ID!',
};

/** The union member a mutation returned, asserting there were no GraphQL errors. */
async function result(call: string, variables: Record<string, unknown> = {}, token?: string | null) {
  const res = await run(call, variables, token);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data?.r as Result;
}

const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');

let serial = 0;
/** A fresh pool in the prod cluster; its raw Run:ai id. */
async function freshPool(): Promise<string> {
  const created = await result('createNodePool(input: $create)', {
    create: {
      name: `err-fixture-${++serial}`,
      clusterId: SEED_CLUSTER_IDS.prod,
      labelKey: 'node-pool-type',
      labelValue: 'a100',
    },
  });
  expect(created.__typename).toBe('CreateNodePoolPayload');
  stack.simulator.clearRequests();
  return created.nodePool?.runaiId as string;
}

function onlyError(res: GraphQLResponse<unknown>) {
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  return res.errors?.[0] as NonNullable<GraphQLResponse['errors']>[number];
}

describe('ForbiddenError: a viewer may not change pools', () => {
  const VIEWER = 'demo-viewer';

  it('createNodePool', async () => {
    const res = await result(
      'createNodePool(input: $create)',
      {
        create: { name: 'viewer-pool', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' },
      },
      VIEWER,
    );
    expect(res.__typename).toBe('ForbiddenError');
    expect(res.message).toMatch(/may not change node pools/);
    expect(stack.upstreamCalls()).toEqual({ create_nodepool: 1 });
  });

  it('updateNodePool, patchNodePool and deleteNodePool', async () => {
    const id = await freshPool();
    const update = await result('updateNodePool(id: $id, input: { labelValue: "x" })', { id }, VIEWER);
    const patch = await result('patchNodePool(id: $id, input: { labelValue: "x" })', { id }, VIEWER);
    const del = await result('deleteNodePool(id: $id)', { id }, VIEWER);
    for (const res of [update, patch, del]) {
      expect(res.__typename).toBe('ForbiddenError');
      expect(res.message).toBeTruthy();
    }
    // The viewer may read (delete reads first), but every change was refused by Run:ai, and none retried.
    expect(stack.upstreamCalls()).toEqual({
      update_nodepool: 1,
      patch_nodepool: 1,
      get_nodepool: 1,
      delete_nodepool: 1,
    });
    expect(stack.simulator.requests.find((r) => r.operation === 'delete_nodepool')?.status).toBe(403);
  });

  it('the legacy mutations', async () => {
    const id = Number(await freshPool());
    const cluster = SEED_CLUSTER_IDS.prod;
    const calls = [
      `legacyCreateNodePool(clusterId: "${cluster}", input: { name: "viewer-legacy", labelKey: "k", labelValue: "v" })`,
      `legacyUpdateNodePool(clusterId: "${cluster}", id: ${id}, input: { labelValue: "x" })`,
      `legacyUpdateNodePoolLabels(clusterId: "${cluster}", id: ${id}, labelKey: "k", labelValue: "x")`,
      `legacyDeleteNodePool(clusterId: "${cluster}", id: ${id})`,
    ];
    for (const call of calls)
      expect((await result(call, {}, VIEWER)).__typename, call).toBe('ForbiddenError');
  });
});

describe('ConflictError', () => {
  it('createNodePool with a name taken in the cluster', async () => {
    const res = await result('createNodePool(input: $create)', {
      create: { name: 'a100', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' },
    });
    expect(res.__typename).toBe('ConflictError');
    expect(res.message).toMatch(/a100/);
    expect(res.message).toMatch(/already exists/);
    expect(stack.upstreamCalls()).toEqual({ create_nodepool: 1 });
  });

  it('legacyCreateNodePool with a name taken in the cluster', async () => {
    const res = await result(
      `legacyCreateNodePool(clusterId: "${SEED_CLUSTER_IDS.prod}", input: { name: "h100", labelKey: "k", labelValue: "v" })`,
    );
    expect(res.__typename).toBe('ConflictError');
    expect(stack.upstreamCalls()).toEqual({ createNodePool: 1 });
  });
});

describe('NotFoundError', () => {
  it('update, patch and delete of an unknown id', async () => {
    const update = await result('updateNodePool(id: "9999", input: { labelValue: "x" })');
    const patch = await result('patchNodePool(id: $id, input: { labelValue: "x" })', {
      id: globalId('NodePool', '9999'),
    });
    const del = await result('deleteNodePool(id: "9999")');
    for (const res of [update, patch, del]) {
      expect(res.__typename).toBe('NotFoundError');
      expect(res.message).toMatch(/9999/);
    }
    // Delete found out from its GET and never asked Run:ai to delete.
    expect(stack.upstreamCalls()).toEqual({ update_nodepool: 1, patch_nodepool: 1, get_nodepool: 1 });
  });

  it("a pool of another tenant is as unknown as a missing one (tenant 1002's pool 13)", async () => {
    const res = await result('patchNodePool(id: "13", input: { labelValue: "x" })');
    expect(res.__typename).toBe('NotFoundError');
  });

  it('the legacy mutations, for an unknown pool or cluster', async () => {
    const unknownCluster = '00000000-0000-4000-8000-000000000000';
    const calls = [
      `legacyCreateNodePool(clusterId: "${unknownCluster}", input: { name: "nowhere", labelKey: "k", labelValue: "v" })`,
      `legacyUpdateNodePool(clusterId: "${SEED_CLUSTER_IDS.prod}", id: 9999, input: { labelValue: "x" })`,
      `legacyUpdateNodePoolLabels(clusterId: "${SEED_CLUSTER_IDS.prod}", id: 9999, labelKey: "k", labelValue: "x")`,
      `legacyDeleteNodePool(clusterId: "${SEED_CLUSTER_IDS.prod}", id: 9999)`,
      // Pool 8 exists, but in the research cluster.
      `legacyDeleteNodePool(clusterId: "${SEED_CLUSTER_IDS.prod}", id: 8)`,
    ];
    for (const call of calls) expect((await result(call)).__typename, call).toBe('NotFoundError');
  });
});

describe('ValidationError', () => {
  it('deleting the cluster default pool is refused with a clear message and no delete call', async () => {
    for (const id of ['1', globalId('NodePool', '1')]) {
      stack.simulator.clearRequests();
      const res = await result('deleteNodePool(id: $id)', { id });
      expect(res.__typename).toBe('ValidationError');
      expect(res.message).toMatch(/default node pool/);
      expect(res.message).toMatch(/cannot be deleted/);
      expect(res.fields).toEqual([
        {
          path: 'id',
          message: expect.stringMatching(
            /^default is the default node pool of cluster prod-cluster.*cannot be deleted/,
          ),
        },
      ]);
      expect(stack.upstreamCalls()).toEqual({ get_nodepool: 1 });
    }
    const still = await stack.query<{ nodePool: { phase: string } | null }>(
      '{ nodePool(id: "1") { phase } }',
    );
    expect(still.data?.nodePool?.phase).toBe('Ready');
  });

  it('an invalid create input lists every broken rule at once, with 0 upstream calls', async () => {
    const res = await result('createNodePool(input: $create)', {
      create: {
        name: 'Bad Name',
        clusterId: SEED_CLUSTER_IDS.prod,
        labelKey: '',
        labelValue: 'ok',
        overProvisioningRatio: 9,
        gpuResourceOptimization: { cpuSwapMemorySize: 'zz' },
      },
    });
    expect(res.__typename).toBe('ValidationError');
    const paths = (res.fields ?? []).map((f) => f.path).sort();
    expect(paths).toEqual([
      'input.gpuResourceOptimization.cpuSwapMemorySize',
      'input.gpuResourceOptimization.swapEnabled',
      'input.labelKey',
      'input.name',
      'input.overProvisioningRatio',
    ]);
    const byPath = Object.fromEntries((res.fields ?? []).map((f) => [f.path, f.message]));
    expect(byPath['input.name']).toMatch(/lowercase letters, digits and -/);
    expect(byPath['input.labelKey']).toMatch(/must not be empty/);
    expect(byPath['input.overProvisioningRatio']).toMatch(/at most 5/);
    expect(byPath['input.gpuResourceOptimization.cpuSwapMemorySize']).toMatch(/size/);
    expect(byPath['input.gpuResourceOptimization.swapEnabled']).toMatch(/swapEnabled is true/);
    // The message names every rule too, for clients that only read `Error.message`.
    for (const path of paths) expect(res.message).toContain(path);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('an invalid name alone is refused before Run:ai is asked', async () => {
    const res = await result('createNodePool(input: $create)', {
      create: {
        name: '1-starts-with-digit',
        clusterId: SEED_CLUSTER_IDS.prod,
        labelKey: 'k',
        labelValue: 'v',
      },
    });
    expect(res.__typename).toBe('ValidationError');
    expect(res.fields?.map((f) => f.path)).toEqual(['input.name']);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('invalid update and patch inputs, with 0 upstream calls', async () => {
    const update = await result(
      'updateNodePool(id: "2", input: { labelValue: "", overProvisioningRatio: 0 })',
    );
    expect(update.__typename).toBe('ValidationError');
    expect(update.fields?.map((f) => f.path).sort()).toEqual([
      'input.labelValue',
      'input.overProvisioningRatio',
    ]);
    const patch = await result(
      'patchNodePool(id: "2", input: { gpuResourceOptimization: { swapEnabled: false, reservedGpuMemoryForSwapOperations: "2G" } })',
    );
    expect(patch.__typename).toBe('ValidationError');
    expect(patch.fields?.map((f) => f.path)).toEqual(['input.gpuResourceOptimization.swapEnabled']);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('an empty patch is refused: there is nothing to change', async () => {
    const res = await result('patchNodePool(id: "2", input: {})');
    expect(res.__typename).toBe('ValidationError');
    expect(res.fields).toEqual([{ path: 'input', message: expect.stringMatching(/at least one field/) }]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('an id that is not a NodePool id is refused with 0 upstream calls', async () => {
    const cases: [string, RegExp][] = [
      [globalId('LegacyNodePool', '5'), /global id of a LegacyNodePool, not of a NodePool/],
      ['not-an-id', /neither a NodePool global id nor a numeric/],
    ];
    for (const [id, message] of cases) {
      for (const call of [
        'updateNodePool(id: $id, input: { labelValue: "x" })',
        'patchNodePool(id: $id, input: { labelValue: "x" })',
        'deleteNodePool(id: $id)',
      ]) {
        const res = await result(call, { id });
        expect(res.__typename, call).toBe('ValidationError');
        expect(res.fields, call).toEqual([{ path: 'id', message: expect.stringMatching(message) }]);
      }
    }
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('a NodePool global id whose Run:ai id is not numeric is refused with a message that makes sense', async () => {
    const res = await result('deleteNodePool(id: $id)', { id: globalId('NodePool', 'abc') });
    expect(res.__typename).toBe('ValidationError');
    expect(res.fields?.map((f) => f.path)).toEqual(['id']);
    // It is a NodePool global id: "the global id of a NodePool, not of a NodePool" contradicts itself.
    expect(res.fields?.[0]?.message).not.toMatch(/not of a NodePool/);
    expect(res.fields?.[0]?.message).toMatch(/abc|numeric/);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('the legacy inputs are validated before Run:ai is asked', async () => {
    const cluster = SEED_CLUSTER_IDS.prod;
    const create = await result(
      `legacyCreateNodePool(clusterId: "${cluster}", input: { name: "Bad Name", labelKey: "", labelValue: "v", overProvisioningRatio: 6 })`,
    );
    expect(create.__typename).toBe('ValidationError');
    expect(create.fields?.map((f) => f.path).sort()).toEqual([
      'input.labelKey',
      'input.name',
      'input.overProvisioningRatio',
    ]);
    const labels = await result(
      `legacyUpdateNodePoolLabels(clusterId: "${cluster}", id: 2, labelKey: "", labelValue: "")`,
    );
    expect(labels.__typename).toBe('ValidationError');
    expect(labels.fields?.map((f) => f.path).sort()).toEqual(['labelKey', 'labelValue']);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('a Run:ai 400 becomes a ValidationError carrying what Run:ai said', async () => {
    const id = await freshPool();
    expect((await result('deleteNodePool(id: $id)', { id })).__typename).toBe('DeleteNodePoolPayload');
    // Run:ai refuses changes to a pool that is being deleted.
    const res = await result('patchNodePool(id: $id, input: { labelValue: "x" })', { id });
    expect(res.__typename).toBe('ValidationError');
    expect(res.message).toMatch(/being deleted/);
  });
});

describe('upstream failures are GraphQL errors, retried only when idempotent', () => {
  const CREATE = {
    create: { name: 'after-outage', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' },
  };

  it('a 503 on create is not retried: exactly 1 POST and an UPSTREAM_UNAVAILABLE error', async () => {
    stack.simulator.faults.failNext(1, 503, { operation: 'create_nodepool' });
    const res = await run('createNodePool(input: $create)', CREATE);
    const error = onlyError(res);
    expect(error.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.path).toEqual(['r']);
    expect(res.data ?? null).toBeNull();
    expect(stack.upstreamCalls()).toEqual({ create_nodepool: 1 });
    expect(stack.simulator.requests[0]).toMatchObject({ method: 'POST', status: 503 });
    // Nothing was created: the name is still free.
    stack.simulator.clearRequests();
    expect((await result('createNodePool(input: $create)', CREATE)).__typename).toBe('CreateNodePoolPayload');
  });

  it('a 503 on patch is not retried either', async () => {
    const id = await freshPool();
    stack.simulator.faults.failNext(1, 503, { operation: 'patch_nodepool' });
    const res = await run('patchNodePool(id: $id, input: { labelValue: "x" })', { id });
    expect(onlyError(res).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(stack.upstreamCalls()).toEqual({ patch_nodepool: 1 });
  });

  it('a 503 on update (PUT) is retried and the update succeeds', async () => {
    const id = await freshPool();
    stack.simulator.faults.failNext(1, 503, { operation: 'update_nodepool' });
    const res = await result('updateNodePool(id: $id, input: { labelValue: "retried" })', { id });
    expect(res.__typename).toBe('UpdateNodePoolPayload');
    expect(res.nodePool?.labelValue).toBe('retried');
    expect(stack.upstreamCalls()).toEqual({ update_nodepool: 2 });
    expect(stack.simulator.requests.map((r) => r.status)).toEqual([503, 200]);
    // The retry is the same request again.
    for (const request of stack.simulator.requests) {
      expect(request).toMatchObject({
        method: 'PUT',
        path: `/api/v1/node-pools/${id}`,
        body: { labelValue: 'retried' },
      });
    }
  });

  it('a 503 on delete is retried and the delete succeeds', async () => {
    const id = await freshPool();
    stack.simulator.faults.failNext(1, 503, { operation: 'delete_nodepool' });
    const res = await result('deleteNodePool(id: $id)', { id });
    expect(res).toMatchObject({ __typename: 'DeleteNodePoolPayload', accepted: true });
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 1, delete_nodepool: 2 });
  });

  it('an update that stays unavailable gives up after 2 retries (3 PUTs)', async () => {
    const id = await freshPool();
    stack.simulator.faults.failNext(3, 503, { operation: 'update_nodepool' });
    const res = await run('updateNodePool(id: $id, input: { labelValue: "x" })', { id });
    expect(onlyError(res).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(stack.upstreamCalls()).toEqual({ update_nodepool: 3 });
  });

  it('a dropped connection on create is not retried either (the POST may have succeeded)', async () => {
    stack.simulator.faults.dropNext(1, { operation: 'create_nodepool' });
    const res = await run('createNodePool(input: $create)', {
      create: { name: 'dropped', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' },
    });
    expect(onlyError(res).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(stack.upstreamCalls()).toEqual({ create_nodepool: 1 });
  });

  it('the legacy API follows the same rule: POST not retried, PUT retried', async () => {
    const cluster = SEED_CLUSTER_IDS.prod;
    stack.simulator.faults.failNext(1, 503, { operation: 'createNodePool' });
    const create = await run(
      `legacyCreateNodePool(clusterId: "${cluster}", input: { name: "legacy-outage", labelKey: "k", labelValue: "v" })`,
    );
    expect(onlyError(create).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(stack.upstreamCalls()).toEqual({ createNodePool: 1 });

    const id = await freshPool();
    stack.simulator.faults.failNext(1, 503, { operation: 'updateNodePool' });
    const update = await result(
      `legacyUpdateNodePool(clusterId: "${cluster}", id: ${id}, input: { overProvisioningRatio: 2 })`,
    );
    expect(update).toEqual({ __typename: 'LegacyAcceptedPayload', accepted: true });
    expect(stack.upstreamCalls()).toEqual({ updateNodePool: 2 });
  });

  it('a call without credentials is an UNAUTHENTICATED GraphQL error, not a typed error, and asks nothing', async () => {
    const res = await run(
      'createNodePool(input: $create)',
      { create: { name: 'anonymous', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' } },
      null,
    );
    expect(onlyError(res).extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('a token Run:ai rejects is an UNAUTHENTICATED GraphQL error', async () => {
    const res = await run('patchNodePool(id: "2", input: { labelValue: "x" })', {}, 'not-a-token');
    expect(onlyError(res).extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.upstreamCalls()).toEqual({ patch_nodepool: 1 });
  });
});

describe('transport', () => {
  it('a mutation sent with GET is refused (403 without a CSRF header, 405 with one) and changes nothing', async () => {
    const query = encodeURIComponent('mutation { deleteNodePool(id: "5") { __typename } }');
    const headers = { accept: 'application/json', authorization: 'Bearer demo-admin' };
    const simple = await fetch(`${stack.url}/graphql?query=${query}`, { headers });
    expect(simple.status).toBe(403);
    await simple.body?.cancel();
    const deliberate = await fetch(`${stack.url}/graphql?query=${query}`, {
      headers: { ...headers, 'x-graphql-yoga-csrf': '1' },
    });
    expect(deliberate.status).toBe(405);
    await deliberate.body?.cancel();
    expect(stack.simulator.requests).toHaveLength(0);
  });
});

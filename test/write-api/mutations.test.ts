import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

const POOL = `fragment P on NodePool {
  id runaiId name clusterId labelKey labelValue phase isDefault
  placementStrategy { cpu gpu }
  gpuNetworkAccelerationDetection gpuNetworkAccelerationLabelKey
  gpuResourceOptimization { swapEnabled cpuSwapMemorySize reservedGpuMemoryForSwapOperations nodeLevelSchedulerEnabled }
}`;
const ERRORS = '... on ValidationError { fields { path message } } ... on Error { message }';

interface Pool {
  id: string;
  runaiId: string;
  name: string;
  clusterId: string;
  labelKey: string;
  labelValue: string;
  phase: string | null;
  isDefault: boolean;
  placementStrategy: { cpu: string | null; gpu: string | null } | null;
  gpuNetworkAccelerationDetection: string | null;
  gpuNetworkAccelerationLabelKey: string | null;
  gpuResourceOptimization: Record<string, unknown> | null;
}
interface Result {
  __typename: string;
  message?: string;
  fields?: { path: string; message: string }[];
  nodePool?: Pool | null;
  accepted?: boolean;
}

const globalId = (runaiId: string) => Buffer.from(`NodePool:${runaiId}`).toString('base64');

/** Runs one mutation field aliased `r`, asserting the response has no GraphQL errors. */
async function mutate(
  field: string,
  args: string,
  variables: Record<string, unknown>,
  token?: string | null,
) {
  const declared = Object.keys(variables)
    .map((name) => `$${name}: ${VARIABLE_TYPES[name]}`)
    .join(', ');
  const selection = `{ __typename ${PAYLOADS[field]} ${ERRORS} }`;
  const res = await stack.query<{ r: Result }>(
    `mutation${declared ? `(${declared})` : ''} { r: ${field}(${args}) ${selection} } ${POOL}`,
    variables,
    token,
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data?.r as Result;
}
const PAYLOADS: Record<string, string> = {
  createNodePool: '... on CreateNodePoolPayload { nodePool { ...P } }',
  updateNodePool: '... on UpdateNodePoolPayload { nodePool { ...P } }',
  patchNodePool: '... on UpdateNodePoolPayload { nodePool { ...P } }',
  deleteNodePool: '... on DeleteNodePoolPayload { accepted nodePool { ...P } }',
};
const VARIABLE_TYPES: Record<string, string> = {
  create: 'CreateNodePoolInput!',
  update: 'UpdateNodePoolInput!',
  patch: 'PatchNodePoolInput!',
  id: 'ID!',
};

function only(operation: string) {
  const calls = stack.simulator.requests.filter((r) => r.operation === operation);
  expect(calls, `${operation} calls`).toHaveLength(1);
  return calls[0]!;
}

let serial = 0;
/** Creates a fresh pool in the prod cluster, so tests that change or delete one do not touch the seed. */
async function freshPool(labelValue = 'a100'): Promise<Pool> {
  const res = await mutate('createNodePool', 'input: $create', {
    create: {
      name: `fixture-${++serial}`,
      clusterId: SEED_CLUSTER_IDS.prod,
      labelKey: 'node-pool-type',
      labelValue,
    },
  });
  expect(res.__typename).toBe('CreateNodePoolPayload');
  stack.simulator.clearRequests();
  return res.nodePool as Pool;
}

describe('createNodePool', () => {
  it('creates the pool with one POST and returns it in phase Creating', async () => {
    const input = {
      name: 'a100-large',
      clusterId: SEED_CLUSTER_IDS.prod,
      labelKey: 'node-pool-type',
      labelValue: 'a100',
      placementStrategy: { gpu: 'spread' },
      gpuNetworkAccelerationDetection: 'Use',
      gpuResourceOptimization: { swapEnabled: true, cpuSwapMemorySize: '100G' },
    };
    const res = await mutate('createNodePool', 'input: $create', { create: input });
    expect(res.__typename).toBe('CreateNodePoolPayload');
    const pool = res.nodePool as Pool;
    expect(pool).toMatchObject({
      name: 'a100-large',
      clusterId: SEED_CLUSTER_IDS.prod,
      labelKey: 'node-pool-type',
      labelValue: 'a100',
      phase: 'Creating',
      isDefault: false,
      placementStrategy: { cpu: 'binpack', gpu: 'spread' },
      gpuNetworkAccelerationDetection: 'Use',
      gpuResourceOptimization: { swapEnabled: true, cpuSwapMemorySize: '100G' },
    });
    expect(pool.id).toBe(globalId(pool.runaiId));

    expect(stack.upstreamCalls()).toEqual({ create_nodepool: 1 });
    const call = only('create_nodepool');
    expect(call).toMatchObject({ method: 'POST', path: '/api/v1/node-pools', status: 201 });
    // Exactly the fields given: nothing omitted is sent.
    expect(call.body).toEqual(input);

    // Run:ai has it, under the id the payload gave.
    const read = await stack.query<{ nodePool: { name: string } | null }>(
      'query($id: ID!) { nodePool(id: $id) { name } }',
      { id: pool.id },
    );
    expect(read.data?.nodePool?.name).toBe('a100-large');
  });
});

describe('updateNodePool (PUT)', () => {
  it('replaces the settings with one PUT and returns the new state', async () => {
    const created = await freshPool();
    const input = { labelKey: 'node-pool-type', labelValue: 'h100', placementStrategy: { cpu: 'spread' } };
    const res = await mutate('updateNodePool', 'id: $id, input: $update', { id: created.id, update: input });
    expect(res.__typename).toBe('UpdateNodePoolPayload');
    expect(res.nodePool).toMatchObject({
      id: created.id,
      runaiId: created.runaiId,
      name: created.name,
      labelValue: 'h100',
      phase: 'Updating',
      placementStrategy: { cpu: 'spread', gpu: 'binpack' },
    });
    expect(stack.upstreamCalls()).toEqual({ update_nodepool: 1 });
    const call = only('update_nodepool');
    expect(call).toMatchObject({ method: 'PUT', path: `/api/v1/node-pools/${created.runaiId}`, status: 200 });
    expect(call.body).toEqual(input);
  });

  it('accepts the raw Run:ai id as well as the global id', async () => {
    const created = await freshPool();
    const res = await mutate('updateNodePool', 'id: $id, input: $update', {
      id: created.runaiId,
      update: { labelValue: 't4' },
    });
    expect(res.__typename).toBe('UpdateNodePoolPayload');
    expect(res.nodePool?.labelValue).toBe('t4');
    expect(only('update_nodepool').path).toBe(`/api/v1/node-pools/${created.runaiId}`);
  });
});

describe('patchNodePool', () => {
  it('sends only the given fields with one PATCH and returns the new state', async () => {
    const created = await freshPool();
    const res = await mutate('patchNodePool', 'id: $id, input: $patch', {
      id: created.id,
      patch: { labelValue: 'h100', gpuNetworkAccelerationLabelKey: 'example.com/nvlink' },
    });
    expect(res.__typename).toBe('UpdateNodePoolPayload');
    expect(res.nodePool).toMatchObject({
      id: created.id,
      labelKey: 'node-pool-type',
      labelValue: 'h100',
      gpuNetworkAccelerationLabelKey: 'example.com/nvlink',
      phase: 'Updating',
    });
    expect(stack.upstreamCalls()).toEqual({ patch_nodepool: 1 });
    const call = only('patch_nodepool');
    expect(call).toMatchObject({
      method: 'PATCH',
      path: `/api/v1/node-pools/${created.runaiId}`,
      status: 200,
    });
    expect(call.body).toEqual({ labelValue: 'h100', gpuNetworkAccelerationLabelKey: 'example.com/nvlink' });
  });

  it('accepts the raw Run:ai id', async () => {
    const created = await freshPool();
    const res = await mutate('patchNodePool', `id: "${created.runaiId}", input: { labelValue: "l4" }`, {});
    expect(res.__typename).toBe('UpdateNodePoolPayload');
    expect(res.nodePool?.labelValue).toBe('l4');
    expect(only('patch_nodepool').path).toBe(`/api/v1/node-pools/${created.runaiId}`);
  });
});

describe('deleteNodePool', () => {
  it('reads the pool, deletes it with one DELETE and returns accepted with its last known state', async () => {
    const created = await freshPool();
    const res = await mutate('deleteNodePool', 'id: $id', { id: created.id });
    expect(res.__typename).toBe('DeleteNodePoolPayload');
    expect(res.accepted).toBe(true);
    expect(res.nodePool).toMatchObject({ id: created.id, name: created.name, isDefault: false });
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 1, delete_nodepool: 1 });
    const call = only('delete_nodepool');
    expect(call).toMatchObject({
      method: 'DELETE',
      path: `/api/v1/node-pools/${created.runaiId}`,
      status: 202,
    });

    // Run:ai now shows it Deleting.
    const read = await stack.query<{ nodePool: { phase: string } | null }>(
      'query($id: ID!) { nodePool(id: $id) { phase } }',
      { id: created.id },
    );
    expect(read.data?.nodePool?.phase).toBe('Deleting');
  });

  it('accepts the raw Run:ai id', async () => {
    const created = await freshPool();
    const res = await mutate('deleteNodePool', `id: "${created.runaiId}"`, {});
    expect(res).toMatchObject({ __typename: 'DeleteNodePoolPayload', accepted: true });
    expect(only('delete_nodepool').path).toBe(`/api/v1/node-pools/${created.runaiId}`);
  });
});

describe('a mutation payload shows the new state', () => {
  it('patching labelValue reads it back from the payload, with no extra GET', async () => {
    const created = await freshPool();
    const res = await mutate('patchNodePool', 'id: $id, input: $patch', {
      id: created.id,
      patch: { labelValue: 'patched-value' },
    });
    expect(res.nodePool?.labelValue).toBe('patched-value');
    expect(stack.upstreamCalls()).toEqual({ patch_nodepool: 1 });
  });

  it('a nodePool field after the mutation in the same document sees the patched pool without a GET', async () => {
    const created = await freshPool();
    const res = await stack.query<{ a: Result; b: { labelValue: string } | null }>(
      `mutation($id: ID!) {
        a: patchNodePool(id: $id, input: { labelValue: "after-patch" }) { __typename }
        b: deleteNodePool(id: $id) { __typename ... on DeleteNodePoolPayload { nodePool { labelValue } } }
      }`,
      { id: created.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.b).toEqual({
      __typename: 'DeleteNodePoolPayload',
      nodePool: { labelValue: 'after-patch' },
    });
  });
});

import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

interface Pool {
  runaiId: string;
  labelValue: string;
  gpuNetworkAccelerationLabelKey: string | null;
  gpuNetworkAccelerationDetection: string | null;
  overProvisioningRatio: number | null;
  placementStrategy: { cpu: string | null; gpu: string | null } | null;
  gpuResourceOptimization: { swapEnabled: boolean | null; cpuSwapMemorySize: string | null } | null;
}
interface Result {
  __typename: string;
  message?: string;
  fields?: { path: string; message: string }[];
  nodePool?: Pool;
}
const SELECTION = `{
  __typename
  ... on UpdateNodePoolPayload {
    nodePool {
      runaiId labelValue gpuNetworkAccelerationLabelKey gpuNetworkAccelerationDetection overProvisioningRatio
      placementStrategy { cpu gpu } gpuResourceOptimization { swapEnabled cpuSwapMemorySize }
    }
  }
  ... on ValidationError { fields { path message } }
  ... on Error { message }
}`;

let serial = 0;
/** A fresh pool with every optional setting away from its default, so a reset is visible. */
async function freshPool(): Promise<string> {
  const res = await stack.query<{ createNodePool: { nodePool?: { runaiId: string } } }>(
    `mutation($input: CreateNodePoolInput!) {
      createNodePool(input: $input) { ... on CreateNodePoolPayload { nodePool { runaiId } } }
    }`,
    {
      input: {
        name: `patch-body-${++serial}`,
        clusterId: SEED_CLUSTER_IDS.prod,
        labelKey: 'node-pool-type',
        labelValue: 'a100',
        placementStrategy: { cpu: 'spread', gpu: 'spread' },
        gpuNetworkAccelerationLabelKey: 'example.com/nvlink',
        gpuNetworkAccelerationDetection: 'Use',
        gpuResourceOptimization: { swapEnabled: true, cpuSwapMemorySize: '50G' },
      },
    },
  );
  const id = res.data?.createNodePool.nodePool?.runaiId;
  expect(id, JSON.stringify(res)).toBeTruthy();
  stack.simulator.clearRequests();
  return id as string;
}

async function patch(id: string, input: Record<string, unknown>): Promise<Result> {
  const res = await stack.query<{ patchNodePool: Result }>(
    `mutation($id: ID!, $input: PatchNodePoolInput!) { patchNodePool(id: $id, input: $input) ${SELECTION} }`,
    { id, input },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data?.patchNodePool as Result;
}

function sentBody(operation = 'patch_nodepool'): unknown {
  const calls = stack.simulator.requests.filter((r) => r.operation === operation);
  expect(calls).toHaveLength(1);
  return calls[0]?.body;
}

describe('patchNodePool sends exactly what was given', () => {
  it('a field set to null is sent as null; an omitted field is not sent', async () => {
    const id = await freshPool();
    const res = await patch(id, { gpuNetworkAccelerationLabelKey: null, labelValue: 'x' });
    expect(sentBody()).toEqual({ gpuNetworkAccelerationLabelKey: null, labelValue: 'x' });
    expect(Object.keys(sentBody() as object).sort()).toEqual([
      'gpuNetworkAccelerationLabelKey',
      'labelValue',
    ]);
    // null returned the key to "none"; the omitted fields kept their values.
    expect(res.__typename).toBe('UpdateNodePoolPayload');
    expect(res.nodePool).toMatchObject({
      labelValue: 'x',
      gpuNetworkAccelerationLabelKey: null,
      gpuNetworkAccelerationDetection: 'Use',
      placementStrategy: { cpu: 'spread', gpu: 'spread' },
    });
  });

  it('the same with literals in the document instead of variables', async () => {
    const id = await freshPool();
    const res = await stack.query<{ patchNodePool: Result }>(
      `mutation { patchNodePool(id: "${id}", input: { gpuNetworkAccelerationLabelKey: null, labelValue: "y" }) ${SELECTION} }`,
    );
    expect(res.errors).toBeUndefined();
    expect(sentBody()).toEqual({ gpuNetworkAccelerationLabelKey: null, labelValue: 'y' });
  });

  it('a nested null is sent as null, and an omitted nested field is not sent', async () => {
    const id = await freshPool();
    const res = await patch(id, { placementStrategy: { gpu: null } });
    expect(sentBody()).toEqual({ placementStrategy: { gpu: null } });
    expect(Object.keys((sentBody() as { placementStrategy: object }).placementStrategy)).toEqual(['gpu']);
    expect(res.__typename, JSON.stringify(res)).toBe('UpdateNodePoolPayload');
    // gpu went back to its default; cpu was not sent, so it kept its value.
    expect(res.nodePool?.placementStrategy).toEqual({ cpu: 'spread', gpu: 'binpack' });
  });

  it('a nested value without its sibling sends only that value', async () => {
    const id = await freshPool();
    const res = await patch(id, { placementStrategy: { cpu: 'binpack' } });
    expect(sentBody()).toEqual({ placementStrategy: { cpu: 'binpack' } });
    expect(res.nodePool?.placementStrategy).toEqual({ cpu: 'binpack', gpu: 'spread' });
  });

  it('a whole input object set to null is sent as null', async () => {
    const id = await freshPool();
    const res = await patch(id, { gpuResourceOptimization: null });
    expect(sentBody()).toEqual({ gpuResourceOptimization: null });
    expect(res.__typename, JSON.stringify(res)).toBe('UpdateNodePoolPayload');
  });

  it('a validated field set to null is sent as null, not refused', async () => {
    const id = await freshPool();
    const res = await patch(id, { overProvisioningRatio: null, labelValue: 'z' });
    expect(res.__typename, JSON.stringify(res)).toBe('UpdateNodePoolPayload');
    expect(sentBody()).toEqual({ overProvisioningRatio: null, labelValue: 'z' });
  });

  it('swap sizes with swapEnabled: true alongside are valid and sent as given', async () => {
    const id = await freshPool();
    const res = await patch(id, {
      gpuResourceOptimization: {
        swapEnabled: true,
        cpuSwapMemorySize: '100G',
        nodeLevelSchedulerEnabled: null,
      },
    });
    expect(res.__typename, JSON.stringify(res)).toBe('UpdateNodePoolPayload');
    expect(sentBody()).toEqual({
      gpuResourceOptimization: {
        swapEnabled: true,
        cpuSwapMemorySize: '100G',
        nodeLevelSchedulerEnabled: null,
      },
    });
    expect(res.nodePool?.gpuResourceOptimization).toMatchObject({
      swapEnabled: true,
      cpuSwapMemorySize: '100G',
    });
  });
});

describe('updateNodePool (PUT) sends the given fields only, too', () => {
  it('omitted fields are absent from the body, and Run:ai resets them to their defaults', async () => {
    const id = await freshPool();
    const res = await stack.query<{ updateNodePool: Result }>(
      `mutation($id: ID!) { updateNodePool(id: $id, input: { labelValue: "h100", placementStrategy: { gpu: spread } }) ${SELECTION} }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    expect(sentBody('update_nodepool')).toEqual({ labelValue: 'h100', placementStrategy: { gpu: 'spread' } });
    expect(res.data?.updateNodePool.nodePool).toMatchObject({
      labelValue: 'h100',
      placementStrategy: { cpu: 'binpack', gpu: 'spread' },
      gpuNetworkAccelerationDetection: 'Auto',
      gpuNetworkAccelerationLabelKey: null,
    });
  });
});

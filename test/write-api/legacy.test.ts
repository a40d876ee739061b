import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { logLevel: 'silent' } });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

const CLUSTER = SEED_CLUSTER_IDS.prod;
const BASE = `/v1/k8s/clusters/${CLUSTER}/node-pools`;
const ACCEPTED = '{ __typename ... on LegacyAcceptedPayload { accepted } ... on Error { message } }';

interface LegacyPool {
  id: number;
  name: string;
  clusterId: string;
  labelKey: string;
  labelValue: string;
  overProvisioningRatio: number | null;
  placementStrategy: { cpu: string | null; gpu: string | null } | null;
  status: string | null;
  isDefault: boolean | null;
}
interface Current {
  runaiId: string;
  name: string;
  labelKey: string;
  labelValue: string;
  overProvisioningRatio: number | null;
  placementStrategy: { cpu: string | null; gpu: string | null } | null;
  phase: string | null;
}

function only(operation: string) {
  const calls = stack.simulator.requests.filter((r) => r.operation === operation);
  expect(calls, `${operation} calls`).toHaveLength(1);
  return calls[0]!;
}

/** The pool as the current API shows it now. */
async function current(id: number): Promise<Current | null> {
  const res = await stack.query<{ nodePool: Current | null }>(
    `{ nodePool(id: "${id}") { runaiId name labelKey labelValue overProvisioningRatio placementStrategy { cpu gpu } phase } }`,
  );
  expect(res.errors).toBeUndefined();
  return res.data?.nodePool ?? null;
}

let serial = 0;
async function legacyCreate(input: Record<string, unknown> = {}) {
  const res = await stack.query<{
    legacyCreateNodePool: { __typename: string; message?: string; nodePool?: LegacyPool | null };
  }>(
    `mutation($clusterId: UUID!, $input: LegacyCreateNodePoolInput!) {
      legacyCreateNodePool(clusterId: $clusterId, input: $input) {
        __typename
        ... on LegacyCreateNodePoolPayload {
          nodePool { id name clusterId labelKey labelValue overProvisioningRatio placementStrategy { cpu gpu } status isDefault }
        }
        ... on Error { message }
      }
    }`,
    {
      clusterId: CLUSTER,
      input: { name: `legacy-${++serial}`, labelKey: 'node-pool-type', labelValue: 'a100', ...input },
    },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data?.legacyCreateNodePool as { __typename: string; nodePool?: LegacyPool | null };
}

describe('the deprecated /v1/k8s mutations', () => {
  it('legacyCreateNodePool POSTs to /v1/k8s/clusters/{clusterId}/node-pools and returns the legacy pool', async () => {
    const res = await legacyCreate({
      name: 'legacy-created',
      overProvisioningRatio: 2,
      placementStrategy: { cpu: 'spread' },
    });
    expect(res.__typename).toBe('LegacyCreateNodePoolPayload');
    expect(res.nodePool).toMatchObject({
      name: 'legacy-created',
      clusterId: CLUSTER,
      labelKey: 'node-pool-type',
      labelValue: 'a100',
      overProvisioningRatio: 2,
      placementStrategy: { cpu: 'spread', gpu: 'binpack' },
      status: 'Creating',
      isDefault: false,
    });
    expect(Number.isInteger(res.nodePool?.id)).toBe(true);
    expect(stack.upstreamCalls()).toEqual({ createNodePool: 1 });
    const call = only('createNodePool');
    expect(call).toMatchObject({ method: 'POST', path: BASE, status: 201 });
    expect(call.body).toEqual({
      name: 'legacy-created',
      labelKey: 'node-pool-type',
      labelValue: 'a100',
      overProvisioningRatio: 2,
      placementStrategy: { cpu: 'spread' },
    });
    // The pool is the same one the current API sees.
    expect(await current(res.nodePool?.id as number)).toMatchObject({ name: 'legacy-created' });
  });

  it('legacyUpdateNodePool PUTs to /v1/k8s/clusters/{clusterId}/node-pools/{id} and is accepted', async () => {
    const id = (await legacyCreate()).nodePool?.id as number;
    stack.simulator.clearRequests();
    const res = await stack.query<{ legacyUpdateNodePool: { __typename: string; accepted?: boolean } }>(
      `mutation { legacyUpdateNodePool(clusterId: "${CLUSTER}", id: ${id}, input: { overProvisioningRatio: 3, placementStrategy: { gpu: spread } }) ${ACCEPTED} }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.legacyUpdateNodePool).toEqual({ __typename: 'LegacyAcceptedPayload', accepted: true });
    expect(stack.upstreamCalls()).toEqual({ updateNodePool: 1 });
    const call = only('updateNodePool');
    expect(call).toMatchObject({ method: 'PUT', path: `${BASE}/${id}`, status: 202 });
    expect(call.body).toEqual({ overProvisioningRatio: 3, placementStrategy: { gpu: 'spread' } });
    expect(await current(id)).toMatchObject({
      overProvisioningRatio: 3,
      placementStrategy: { gpu: 'spread' },
      labelValue: 'a100',
    });
  });

  it('legacyUpdateNodePoolLabels PUTs to …/node-pools/{id}/labels and is accepted', async () => {
    const id = (await legacyCreate()).nodePool?.id as number;
    stack.simulator.clearRequests();
    const res = await stack.query<{ legacyUpdateNodePoolLabels: { __typename: string; accepted?: boolean } }>(
      `mutation { legacyUpdateNodePoolLabels(clusterId: "${CLUSTER}", id: ${id}, labelKey: "gpu-type", labelValue: "v100") ${ACCEPTED} }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.legacyUpdateNodePoolLabels).toEqual({
      __typename: 'LegacyAcceptedPayload',
      accepted: true,
    });
    expect(stack.upstreamCalls()).toEqual({ updateNodePoolLabels: 1 });
    const call = only('updateNodePoolLabels');
    expect(call).toMatchObject({ method: 'PUT', path: `${BASE}/${id}/labels`, status: 202 });
    expect(call.body).toEqual({ labelKey: 'gpu-type', labelValue: 'v100' });
    expect(await current(id)).toMatchObject({ labelKey: 'gpu-type', labelValue: 'v100', phase: 'Updating' });
  });

  it('legacyDeleteNodePool DELETEs /v1/k8s/clusters/{clusterId}/node-pools/{id} and is accepted', async () => {
    const id = (await legacyCreate()).nodePool?.id as number;
    stack.simulator.clearRequests();
    const res = await stack.query<{ legacyDeleteNodePool: { __typename: string; accepted?: boolean } }>(
      `mutation { legacyDeleteNodePool(clusterId: "${CLUSTER}", id: ${id}) ${ACCEPTED} }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.legacyDeleteNodePool).toEqual({ __typename: 'LegacyAcceptedPayload', accepted: true });
    expect(stack.upstreamCalls()).toEqual({ deleteNodePool: 1 });
    expect(only('deleteNodePool')).toMatchObject({ method: 'DELETE', path: `${BASE}/${id}`, status: 202 });
    expect((await current(id))?.phase).toBe('Deleting');
  });

  it('legacyDeleteNodePool of the default pool is a ValidationError (Run:ai 400)', async () => {
    const res = await stack.query<{ legacyDeleteNodePool: { __typename: string; message?: string } }>(
      `mutation { legacyDeleteNodePool(clusterId: "${CLUSTER}", id: 1) ${ACCEPTED} }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.legacyDeleteNodePool.__typename).toBe('ValidationError');
    expect(res.data?.legacyDeleteNodePool.message).toMatch(/default node pool/);
    expect((await current(1))?.phase).toBe('Ready');
  });

  it('after a legacy change, a later field of the same request reads the pool again (no stale state)', async () => {
    const id = (await legacyCreate()).nodePool?.id as number;
    stack.simulator.clearRequests();
    const res = await stack.query<{ b: { nodePool?: { labelValue: string } } }>(
      `mutation {
        a: legacyUpdateNodePoolLabels(clusterId: "${CLUSTER}", id: ${id}, labelKey: "node-pool-type", labelValue: "h100") { __typename }
        b: deleteNodePool(id: "${id}") { ... on DeleteNodePoolPayload { nodePool { labelValue } } }
      }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.b.nodePool?.labelValue).toBe('h100');
    expect(stack.upstreamCalls()).toEqual({ updateNodePoolLabels: 1, get_nodepool: 1, delete_nodepool: 1 });
  });
});

describe('introspection', () => {
  it('shows all four legacy mutations deprecated, each naming its replacement', async () => {
    const res = await stack.query<{
      __type: { fields: { name: string; isDeprecated: boolean; deprecationReason: string | null }[] };
    }>(
      '{ __type(name: "Mutation") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }',
    );
    expect(res.errors).toBeUndefined();
    const fields = Object.fromEntries((res.data?.__type.fields ?? []).map((f) => [f.name, f]));
    const replacements: Record<string, string> = {
      legacyCreateNodePool: 'createNodePool',
      legacyUpdateNodePool: 'patchNodePool',
      legacyUpdateNodePoolLabels: 'patchNodePool',
      legacyDeleteNodePool: 'deleteNodePool',
    };
    for (const [legacy, replacement] of Object.entries(replacements)) {
      expect(fields[legacy], legacy).toMatchObject({ isDeprecated: true });
      expect(fields[legacy]?.deprecationReason, legacy).toContain(replacement);
      expect(fields[replacement]?.isDeprecated, replacement).toBe(false);
    }
    const deprecated = Object.values(fields)
      .filter((f) => f.isDeprecated)
      .map((f) => f.name)
      .sort();
    expect(deprecated).toEqual(Object.keys(replacements).sort());
    // The current mutations are all there and not deprecated.
    for (const name of ['createNodePool', 'updateNodePool', 'patchNodePool', 'deleteNodePool']) {
      expect(fields[name]?.isDeprecated, name).toBe(false);
    }
  });
});

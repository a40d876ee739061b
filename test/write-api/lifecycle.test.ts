import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

const DELAYS = { create: 60, update: 60, delete: 60 };
/** Run:ai's clock: its pools change phase when the test moves it, never on their own. */
let clock = Date.now();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    config: { logLevel: 'silent' },
    simulator: { delays: DELAYS, now: () => clock },
  });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

interface Pool {
  id: string;
  runaiId: string;
  name: string;
  labelValue: string;
  phase: string | null;
}
const POOL = '{ id runaiId name labelValue phase }';

async function read(id: string): Promise<Pool | null> {
  const res = await stack.query<{ nodePool: Pool | null }>(`query($id: ID!) { nodePool(id: $id) ${POOL} }`, {
    id,
  });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data?.nodePool ?? null;
}

/** Lets `ms` of Run:ai's time pass. */
function elapse(ms: number): void {
  clock += ms;
}

async function create(name: string, labelValue: string): Promise<Pool> {
  const res = await stack.query<{ createNodePool: { __typename: string; nodePool?: Pool } }>(
    `mutation($input: CreateNodePoolInput!) {
      createNodePool(input: $input) { __typename ... on CreateNodePoolPayload { nodePool ${POOL} } }
    }`,
    { input: { name, clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'node-pool-type', labelValue } },
  );
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.data?.createNodePool.__typename).toBe('CreateNodePoolPayload');
  return res.data?.createNodePool.nodePool as Pool;
}

describe('the lifecycle of a pool through the gateway', () => {
  it('create (Creating) → Ready → patch (Updating) → Empty → delete → gone', async () => {
    const created = await create('lifecycle-a100', 'a100');
    expect(created.phase).toBe('Creating');

    // The prod cluster has a100 nodes: the pool settles as Ready.
    elapse(DELAYS.create);
    expect((await read(created.id))?.phase).toBe('Ready');

    const patched = await stack.query<{ patchNodePool: { nodePool?: Pool } }>(
      `mutation($id: ID!) {
        patchNodePool(id: $id, input: { labelValue: "no-such-gpu" }) { ... on UpdateNodePoolPayload { nodePool ${POOL} } }
      }`,
      { id: created.id },
    );
    expect(patched.data?.patchNodePool.nodePool).toMatchObject({
      labelValue: 'no-such-gpu',
      phase: 'Updating',
    });
    // No node carries the new label: the pool settles as Empty.
    elapse(DELAYS.update);
    expect((await read(created.id))?.phase).toBe('Empty');

    const deleted = await stack.query<{ deleteNodePool: { __typename: string; accepted?: boolean } }>(
      'mutation($id: ID!) { deleteNodePool(id: $id) { __typename ... on DeleteNodePoolPayload { accepted } } }',
      { id: created.id },
    );
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data?.deleteNodePool).toEqual({ __typename: 'DeleteNodePoolPayload', accepted: true });

    // Deleting for a while, then gone: nodePool(id) is null and the list no longer holds it.
    elapse(DELAYS.delete);
    expect(await read(created.id)).toBeNull();
    const list = await stack.query<{ nodePools: { edges: { node: { runaiId: string; name: string } }[] } }>(
      '{ nodePools(first: 500) { edges { node { runaiId name } } } }',
    );
    expect(list.errors).toBeUndefined();
    const runaiIds = list.data?.nodePools.edges.map((e) => e.node.runaiId) ?? [];
    expect(runaiIds.length).toBeGreaterThan(0);
    expect(runaiIds).not.toContain(created.runaiId);
    expect(list.data?.nodePools.edges.map((e) => e.node.name)).not.toContain('lifecycle-a100');
  });

  it('a pool whose label matches no node settles as Empty', async () => {
    const created = await create('lifecycle-empty', 'no-such-gpu');
    expect(created.phase).toBe('Creating');
    elapse(DELAYS.create);
    expect((await read(created.id))?.phase).toBe('Empty');
  });

  it('is Deleting between the delete and its disappearance', async () => {
    const created = await create('lifecycle-deleting', 'h100');
    const deleted = await stack.query<{ deleteNodePool: { accepted?: boolean } }>(
      'mutation($id: ID!) { deleteNodePool(id: $id) { ... on DeleteNodePoolPayload { accepted } } }',
      { id: created.id },
    );
    expect(deleted.data?.deleteNodePool.accepted).toBe(true);
    // Until it disappears, every read sees it Deleting: at once, and up to the last moment of the delay.
    expect((await read(created.id))?.phase).toBe('Deleting');
    elapse(DELAYS.delete - 1);
    expect((await read(created.id))?.phase).toBe('Deleting');
    elapse(1);
    expect(await read(created.id)).toBeNull();
  });
});

describe('consistency within one request', () => {
  it('patch then delete of the same pool in one document: the delete costs no GET and returns the patched pool', async () => {
    const created = await create('patch-then-delete', 'a100');
    stack.simulator.clearRequests();
    const res = await stack.query<{
      a: { __typename: string; nodePool?: Pool };
      b: { __typename: string; accepted?: boolean; nodePool?: Pool | null };
    }>(
      `mutation($id: ID!) {
        a: patchNodePool(id: $id, input: { labelValue: "patched" }) {
          __typename ... on UpdateNodePoolPayload { nodePool ${POOL} }
        }
        b: deleteNodePool(id: $id) {
          __typename ... on DeleteNodePoolPayload { accepted nodePool ${POOL} }
        }
      }`,
      { id: created.id },
    );
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data?.a.nodePool?.labelValue).toBe('patched');
    expect(res.data?.b).toMatchObject({
      __typename: 'DeleteNodePoolPayload',
      accepted: true,
      nodePool: { id: created.id, labelValue: 'patched' },
    });
    expect(stack.upstreamCalls()).toEqual({ patch_nodepool: 1, delete_nodepool: 1 });
    expect(stack.simulator.requests.map((r) => r.method)).toEqual(['PATCH', 'DELETE']);
  });

  it('across requests nothing is remembered: a delete in a new request reads the pool again', async () => {
    const created = await create('create-then-delete', 't4');
    stack.simulator.clearRequests();
    const res = await stack.query<{ b: { __typename: string } }>(
      'mutation($id: ID!) { b: deleteNodePool(id: $id) { __typename } }',
      { id: created.id },
    );
    expect(res.data?.b.__typename).toBe('DeleteNodePoolPayload');
    expect(stack.upstreamCalls()).toEqual({ get_nodepool: 1, delete_nodepool: 1 });
  });

  it('a read after the patch agrees with the payload', async () => {
    const created = await create('patch-then-read', 'a100');
    const res = await stack.query<{ a: { nodePool?: Pool } }>(
      `mutation($id: ID!) {
        a: patchNodePool(id: $id, input: { labelValue: "fresh" }) { ... on UpdateNodePoolPayload { nodePool ${POOL} } }
      }`,
      { id: created.id },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.a.nodePool?.labelValue).toBe('fresh');
    expect((await read(created.id))?.labelValue).toBe('fresh');
  });
});

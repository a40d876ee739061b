import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { onlyError, useMutations } from '../helpers/errors.js';

const m = useMutations();

describe('upstream failures are GraphQL errors, retried only when idempotent', () => {
  const CREATE = {
    create: { name: 'after-outage', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' },
  };

  it('a 503 on create is not retried: exactly 1 POST and an UPSTREAM_UNAVAILABLE error', async () => {
    m.stack.simulator.faults.failNext(1, 503, { operation: 'create_nodepool' });
    const res = await m.run('createNodePool(input: $create)', CREATE);
    const error = onlyError(res);
    expect(error.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.path).toEqual(['r']);
    expect(res.data ?? null).toBeNull();
    expect(m.stack.upstreamCalls()).toEqual({ create_nodepool: 1 });
    expect(m.stack.simulator.requests[0]).toMatchObject({ method: 'POST', status: 503 });
    // Nothing was created: the name is still free.
    m.stack.simulator.clearRequests();
    expect((await m.result('createNodePool(input: $create)', CREATE)).__typename).toBe(
      'CreateNodePoolPayload',
    );
  });

  it('a 503 on patch is not retried either', async () => {
    const id = await m.freshPool();
    m.stack.simulator.faults.failNext(1, 503, { operation: 'patch_nodepool' });
    const res = await m.run('patchNodePool(id: $id, input: { labelValue: "x" })', { id });
    expect(onlyError(res).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(m.stack.upstreamCalls()).toEqual({ patch_nodepool: 1 });
  });

  it('a 503 on update (PUT) is retried and the update succeeds', async () => {
    const id = await m.freshPool();
    m.stack.simulator.faults.failNext(1, 503, { operation: 'update_nodepool' });
    const res = await m.result('updateNodePool(id: $id, input: { labelValue: "retried" })', { id });
    expect(res.__typename).toBe('UpdateNodePoolPayload');
    expect(res.nodePool?.labelValue).toBe('retried');
    expect(m.stack.upstreamCalls()).toEqual({ update_nodepool: 2 });
    expect(m.stack.simulator.requests.map((r) => r.status)).toEqual([503, 200]);
    // The retry is the same request again.
    for (const request of m.stack.simulator.requests) {
      expect(request).toMatchObject({
        method: 'PUT',
        path: `/api/v1/node-pools/${id}`,
        body: { labelValue: 'retried' },
      });
    }
  });

  it('a 503 on delete is retried and the delete succeeds', async () => {
    const id = await m.freshPool();
    m.stack.simulator.faults.failNext(1, 503, { operation: 'delete_nodepool' });
    const res = await m.result('deleteNodePool(id: $id)', { id });
    expect(res).toMatchObject({ __typename: 'DeleteNodePoolPayload', accepted: true });
    expect(m.stack.upstreamCalls()).toEqual({ get_nodepool: 1, delete_nodepool: 2 });
  });

  it('an update that stays unavailable gives up after 2 retries (3 PUTs)', async () => {
    const id = await m.freshPool();
    m.stack.simulator.faults.failNext(3, 503, { operation: 'update_nodepool' });
    const res = await m.run('updateNodePool(id: $id, input: { labelValue: "x" })', { id });
    expect(onlyError(res).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(m.stack.upstreamCalls()).toEqual({ update_nodepool: 3 });
  });

  it('a dropped connection on create is not retried either (the POST may have succeeded)', async () => {
    m.stack.simulator.faults.dropNext(1, { operation: 'create_nodepool' });
    const res = await m.run('createNodePool(input: $create)', {
      create: { name: 'dropped', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' },
    });
    expect(onlyError(res).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(m.stack.upstreamCalls()).toEqual({ create_nodepool: 1 });
  });

  it('the legacy API follows the same rule: POST not retried, PUT retried', async () => {
    const cluster = SEED_CLUSTER_IDS.prod;
    m.stack.simulator.faults.failNext(1, 503, { operation: 'createNodePool' });
    const create = await m.run(
      `legacyCreateNodePool(clusterId: "${cluster}", input: { name: "legacy-outage", labelKey: "k", labelValue: "v" })`,
    );
    expect(onlyError(create).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(m.stack.upstreamCalls()).toEqual({ createNodePool: 1 });

    const id = await m.freshPool();
    m.stack.simulator.faults.failNext(1, 503, { operation: 'updateNodePool' });
    const update = await m.result(
      `legacyUpdateNodePool(clusterId: "${cluster}", id: ${id}, input: { overProvisioningRatio: 2 })`,
    );
    expect(update).toEqual({ __typename: 'LegacyAcceptedPayload', accepted: true });
    expect(m.stack.upstreamCalls()).toEqual({ updateNodePool: 2 });
  });

  it('a call without credentials is an UNAUTHENTICATED GraphQL error, not a typed error, and asks nothing', async () => {
    const res = await m.run(
      'createNodePool(input: $create)',
      { create: { name: 'anonymous', clusterId: SEED_CLUSTER_IDS.prod, labelKey: 'k', labelValue: 'v' } },
      null,
    );
    expect(onlyError(res).extensions?.code).toBe('UNAUTHENTICATED');
    expect(m.stack.simulator.requests).toHaveLength(0);
  });

  it('a token Run:ai rejects is an UNAUTHENTICATED GraphQL error', async () => {
    const res = await m.run('patchNodePool(id: "2", input: { labelValue: "x" })', {}, 'not-a-token');
    expect(onlyError(res).extensions?.code).toBe('UNAUTHENTICATED');
    expect(m.stack.upstreamCalls()).toEqual({ patch_nodepool: 1 });
  });
});

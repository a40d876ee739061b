import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import { nodePoolIdProblem } from '../../src/domain/ids.js';
import { codesOf, post } from '../helpers/http.js';
import { wsClient, wsOperation } from '../helpers/live.js';
import { stackWith } from '../helpers/stack.js';

/**
 * Finding 2 of the fourth security round: `deleteNodePool(id: "0016")` was
 * accepted, and the deleter and another token then read the pool's old
 * phase from the response cache with no Run:ai call, since the mutation
 * dropped the tag of the id as typed (`pool:0016`) while answers are tagged
 * with Run:ai's id (`pool:16`). Every id a caller sends now has one
 * spelling: Run:ai's, digits without leading zeros (or its global id).
 */

const POOL = '{ nodePool(id: "3") { id phase } }';
const DELETE = 'mutation($id: ID!) { deleteNodePool(id: $id) { __typename ... on Error { message } } }';

describe('one canonical id per pool', () => {
  it('refuses a zero-padded id in a delete before any call, and the canonical delete leaves no token a stale answer', async () => {
    const stack = await stackWith({ responseCacheTtlSeconds: 60 });
    for (const token of ['demo-admin', 'demo-viewer']) {
      expect((await post(stack.url, { query: POOL }, { token })).body.data).toEqual({
        nodePool: { id: encodeGlobalID('NodePool', '3'), phase: 'Ready' },
      });
    }
    stack.simulator.clearRequests();

    for (const id of ['003', encodeGlobalID('NodePool', '03')]) {
      const refused = await post(stack.url, { query: DELETE, variables: { id } });
      expect(refused.body.data).toEqual({
        deleteNodePool: { __typename: 'ValidationError', message: expect.stringMatching(/leading zero/) },
      });
    }
    expect(stack.simulator.requests).toHaveLength(0);

    const accepted = await post(stack.url, { query: DELETE, variables: { id: '3' } });
    expect(accepted.body.data).toEqual({ deleteNodePool: { __typename: 'DeleteNodePoolPayload' } });
    for (const token of ['demo-admin', 'demo-viewer']) {
      stack.simulator.clearRequests();
      const after = await post(stack.url, { query: POOL }, { token });
      expect(after.body.data).toEqual({
        nodePool: { id: encodeGlobalID('NodePool', '3'), phase: 'Deleting' },
      });
      expect(stack.simulator.requests).toHaveLength(1);
    }
  });

  it.each([
    ['nodePool(id:)', '{ nodePool(id: "0016") { id } }'],
    ['node(id:)', `{ node(id: "${encodeGlobalID('NodePool', '016')}") { id } }`],
    [
      'nodes(ids:)',
      `{ nodes(ids: ["${encodeGlobalID('NodePool', '16')}", "${encodeGlobalID('NodePool', '0016')}"]) { id } }`,
    ],
  ])('refuses a zero-padded id in %s with BAD_USER_INPUT and no call', async (_field, query) => {
    const stack = await stackWith();
    const answer = await post(stack.url, { query });
    expect([answer.status, codesOf(answer.body)]).toEqual([400, ['BAD_USER_INPUT']]);
    expect(answer.body.errors?.[0]?.message).toMatch(/leading zero/);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses a zero-padded id in a subscription filter over graphql-ws, before any poll', async () => {
    const stack = await stackWith();
    const client = wsClient(stack.url, 'demo-admin');
    const outcome = await wsOperation(client, {
      query: 'subscription { nodePoolChanged(filter: { ids: ["007"] }) { kind } }',
    }).outcome;
    await client.dispose();
    expect(outcome).toEqual(['BAD_USER_INPUT']);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('refuses a zero-padded id in the CSV export path with BAD_USER_INPUT and no call', async () => {
    const stack = await stackWith();
    const res = await fetch(`${stack.url}/export/nodepools/0016/metrics.csv?types=GPU_UTILIZATION`, {
      headers: { authorization: 'Bearer demo-admin' },
    });
    expect(res.status).toBe(400);
    expect(
      ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
    ).toBe('BAD_USER_INPUT');
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('takes "0" and every id without leading zeros as canonical', () => {
    for (const id of ['0', '7', '16', '9223372036854775807', encodeGlobalID('NodePool', '16')]) {
      expect(nodePoolIdProblem(id), id).toBeUndefined();
    }
    for (const id of ['00', '016', encodeGlobalID('NodePool', '0'.repeat(3))]) {
      expect(nodePoolIdProblem(id), id).toMatch(/leading zero/);
    }
  });
});

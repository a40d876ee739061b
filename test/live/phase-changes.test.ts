import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCleanup } from '../helpers/cleanup.js';
import { Collected, wsClient } from '../helpers/live.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  // A long interval: only refresh-on-mutation can explain the events below.
  stack = await startStack({
    config: { logLevel: 'silent', pollIntervalMs: 60_000 },
    simulator: { delays: { create: 150, update: 150, delete: 150 } },
    settleDelaysMs: [100, 200, 400, 800],
  });
});
// Unset when beforeAll failed.
afterAll(() => stack?.stop());

const CREATE = `mutation($input: CreateNodePoolInput!) { createNodePool(input: $input) { ... on CreateNodePoolPayload { nodePool { id runaiId } } } }`;
const DELETE = `mutation($id: ID!) { deleteNodePool(id: $id) { ... on DeleteNodePoolPayload { accepted } } }`;

describe('nodePoolPhaseChanged over graphql-ws', () => {
  it('shows a pool created and deleted through the gateway go through its whole lifecycle', async () => {
    const client = wsClient(stack.url);
    onCleanup(() => client.dispose());
    const sub = new Collected(client);
    onCleanup(sub.unsubscribe);
    await stack.simulator.waitForRequest({ operation: 'get_nodepools' });

    const created = await stack.query<{ createNodePool: { nodePool: { id: string; runaiId: string } } }>(
      CREATE,
      {
        input: {
          name: 'live-a',
          clusterId: SEED_CLUSTER_IDS.prod,
          labelKey: 'node-pool-type',
          labelValue: 'a100',
        },
      },
    );
    const id = created.data?.createNodePool.nodePool.id as string;
    const mine = (c: Collected) => c.events.filter((e) => e.nodePoolId === id);
    await sub.until((c) => mine(c).some((e) => e.phase === 'Ready' || e.phase === 'Empty'));
    // The prod cluster has nodes labelled node-pool-type=a100: the pool settles as Ready.
    expect(mine(sub).map((e) => [e.previousPhase, e.phase])).toEqual([
      [null, 'Creating'],
      ['Creating', 'Ready'],
    ]);

    await stack.query(DELETE, { id });
    await sub.until((c) => mine(c).some((e) => e.phase === 'Deleted'));
    const tail = mine(sub)
      .slice(2)
      .map((e) => e.phase);
    expect(tail).toEqual(['Deleting', 'Deleted']);
    expect(mine(sub).at(-1)?.nodePool?.name).toBe('live-a');
  });
});

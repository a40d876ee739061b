import { SEED_CLUSTER_IDS } from 'runai-simulator';
import { describe, expect, it } from 'vitest';
import { globalId, useMutations } from '../helpers/errors.js';

const m = useMutations();

describe('ValidationError', () => {
  it.each([
    ['its Run:ai id', '1'],
    ['its global id', globalId('NodePool', '1')],
  ])(
    'deleting the cluster default pool by %s is refused with a clear message and no delete call',
    async (_by, id) => {
      const res = await m.result('deleteNodePool(id: $id)', { id });
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
      expect(m.stack.upstreamCalls()).toEqual({ get_nodepool: 1 });
      const still = await m.stack.query<{ nodePool: { phase: string } | null }>(
        '{ nodePool(id: "1") { phase } }',
      );
      expect(still.data?.nodePool?.phase).toBe('Ready');
    },
  );

  it('an invalid create input lists every broken rule at once, with 0 upstream calls', async () => {
    const res = await m.result('createNodePool(input: $create)', {
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
    expect(m.stack.simulator.requests).toHaveLength(0);
  });

  it('an invalid name alone is refused before Run:ai is asked', async () => {
    const res = await m.result('createNodePool(input: $create)', {
      create: {
        name: '1-starts-with-digit',
        clusterId: SEED_CLUSTER_IDS.prod,
        labelKey: 'k',
        labelValue: 'v',
      },
    });
    expect(res.__typename).toBe('ValidationError');
    expect(res.fields?.map((f) => f.path)).toEqual(['input.name']);
    expect(m.stack.simulator.requests).toHaveLength(0);
  });

  it('invalid update and patch inputs are refused, with 0 upstream calls', async () => {
    const update = await m.result(
      'updateNodePool(id: "2", input: { labelValue: "", overProvisioningRatio: 0 })',
    );
    expect(update.__typename).toBe('ValidationError');
    expect(update.fields?.map((f) => f.path).sort()).toEqual([
      'input.labelValue',
      'input.overProvisioningRatio',
    ]);
    const patch = await m.result(
      'patchNodePool(id: "2", input: { gpuResourceOptimization: { swapEnabled: false, reservedGpuMemoryForSwapOperations: "2G" } })',
    );
    expect(patch.__typename).toBe('ValidationError');
    expect(patch.fields?.map((f) => f.path)).toEqual(['input.gpuResourceOptimization.swapEnabled']);
    expect(m.stack.simulator.requests).toHaveLength(0);
  });

  it('an empty patch is refused: there is nothing to change', async () => {
    const res = await m.result('patchNodePool(id: "2", input: {})');
    expect(res.__typename).toBe('ValidationError');
    expect(res.fields).toEqual([{ path: 'input', message: expect.stringMatching(/at least one field/) }]);
    expect(m.stack.simulator.requests).toHaveLength(0);
  });

  const NOT_NODE_POOL_IDS = [
    [
      'a LegacyNodePool global id',
      globalId('LegacyNodePool', '5'),
      /global id of a LegacyNodePool, not of a NodePool/,
    ],
    ['an id of no kind', 'not-an-id', /neither a NodePool global id nor a numeric/],
  ] as const;
  const TAKING_AN_ID = [
    'updateNodePool(id: $id, input: { labelValue: "x" })',
    'patchNodePool(id: $id, input: { labelValue: "x" })',
    'deleteNodePool(id: $id)',
  ];
  it.each(
    NOT_NODE_POOL_IDS.flatMap(([kind, id, message]) =>
      TAKING_AN_ID.map((call) => [kind, call, id, message] as const),
    ),
  )('%s is refused by %s with 0 upstream calls', async (_kind, call, id, message) => {
    const res = await m.result(call, { id });
    expect(res.__typename).toBe('ValidationError');
    expect(res.fields).toEqual([{ path: 'id', message: expect.stringMatching(message) }]);
    expect(m.stack.simulator.requests).toHaveLength(0);
  });

  it('a NodePool global id whose Run:ai id is not numeric is refused with a message that makes sense', async () => {
    const res = await m.result('deleteNodePool(id: $id)', { id: globalId('NodePool', 'abc') });
    expect(res.__typename).toBe('ValidationError');
    expect(res.fields?.map((f) => f.path)).toEqual(['id']);
    // It is a NodePool global id: "the global id of a NodePool, not of a NodePool" contradicts itself.
    expect(res.fields?.[0]?.message).not.toMatch(/not of a NodePool/);
    expect(res.fields?.[0]?.message).toMatch(/abc|numeric/);
    expect(m.stack.simulator.requests).toHaveLength(0);
  });

  it('the legacy inputs are validated before Run:ai is asked', async () => {
    const cluster = SEED_CLUSTER_IDS.prod;
    const create = await m.result(
      `legacyCreateNodePool(clusterId: "${cluster}", input: { name: "Bad Name", labelKey: "", labelValue: "v", overProvisioningRatio: 6 })`,
    );
    expect(create.__typename).toBe('ValidationError');
    expect(create.fields?.map((f) => f.path).sort()).toEqual([
      'input.labelKey',
      'input.name',
      'input.overProvisioningRatio',
    ]);
    const labels = await m.result(
      `legacyUpdateNodePoolLabels(clusterId: "${cluster}", id: 2, labelKey: "", labelValue: "")`,
    );
    expect(labels.__typename).toBe('ValidationError');
    expect(labels.fields?.map((f) => f.path).sort()).toEqual(['labelKey', 'labelValue']);
    expect(m.stack.simulator.requests).toHaveLength(0);
  });

  it('a Run:ai 400 becomes a ValidationError carrying what Run:ai said', async () => {
    const id = await m.freshPool();
    expect((await m.result('deleteNodePool(id: $id)', { id })).__typename).toBe('DeleteNodePoolPayload');
    // Run:ai refuses changes to a pool that is being deleted.
    const res = await m.result('patchNodePool(id: $id, input: { labelValue: "x" })', { id });
    expect(res.__typename).toBe('ValidationError');
    expect(res.message).toMatch(/being deleted/);
  });
});

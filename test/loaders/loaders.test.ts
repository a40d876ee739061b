import { describe, expect, it } from 'vitest';
import { createLoaders, type MetricsKey } from '../../src/loaders/index.js';
import type { NodePoolsApi } from '../../src/upstream/bind-api.js';
import type { MetricType, NodePoolMetrics } from '../../src/upstream/models.js';
import type { NodePoolMetricsParams } from '../../src/upstream/nodepools-api.js';

/** An API whose metrics calls stay pending until the test answers them, one pool at a time. */
function pendingMetricsApi() {
  const calls = new Map<string, { params: NodePoolMetricsParams; answer: (body: NodePoolMetrics) => void }>();
  const api = {
    getNodePoolMetrics: (params: NodePoolMetricsParams) =>
      new Promise<NodePoolMetrics>((resolve) => {
        calls.set(params.nodepoolName, { params, answer: resolve });
      }),
  } as unknown as NodePoolsApi;
  return { api, calls };
}

const key = (nodepoolName: string, types: MetricType[]): MetricsKey => ({
  clusterId: 'c1',
  nodepoolName,
  start: new Date('2025-02-10T11:00:00.000Z'),
  end: new Date('2025-02-10T12:00:00.000Z'),
  samples: 20,
  types,
});

const series = (type: MetricType) => ({ type, rawType: type, labels: null, values: [] });

describe('metrics loader', () => {
  it('settles each pool as soon as its own call answers, while the rest of the batch is still out', async () => {
    const { api, calls } = pendingMetricsApi();
    const loaders = createLoaders(api);
    const settled: string[] = [];
    const a = loaders.metrics.load(key('a', ['TOTAL_GPU'])).then((slice) => {
      settled.push('a');
      return slice;
    });
    const b = loaders.metrics.load(key('b', ['TOTAL_GPU'])).then(() => settled.push('b'));
    await new Promise((resolve) => setImmediate(resolve));
    expect([...calls.keys()]).toEqual(['a', 'b']); // one batch, one call per pool

    calls.get('a')?.answer({ partial: false, measurements: [series('TOTAL_GPU')] });
    expect((await a).measurements).toEqual([series('TOTAL_GPU')]);
    expect(settled).toEqual(['a']); // b's call has not answered, and a did not wait for it

    calls.get('b')?.answer({ partial: false, measurements: [series('TOTAL_GPU')] });
    await b;
    expect(settled).toEqual(['a', 'b']);
  });

  it('splits one call for the union of types back per field, and rejects only the fields of a failed call', async () => {
    const { api, calls } = pendingMetricsApi();
    const loaders = createLoaders(api);
    const gpu = loaders.metrics.load(key('a', ['GPU_UTILIZATION']));
    const alloc = loaders.metrics.load(key('a', ['ALLOCATED_GPU', 'TOTAL_GPU']));
    const other = loaders.metrics.load(key('b', ['TOTAL_GPU']));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.get('a')?.params).toMatchObject({
      start: '2025-02-10T11:00:00.000Z',
      end: '2025-02-10T12:00:00.000Z',
      metricTypes: ['GPU_UTILIZATION', 'TOTAL_GPU', 'ALLOCATED_GPU'],
    });

    calls.get('a')?.answer({ partial: true, measurements: [series('GPU_UTILIZATION'), series('TOTAL_GPU')] });
    await expect(gpu).resolves.toEqual({
      measurements: [series('GPU_UTILIZATION')],
      missingTypes: [],
      partial: true,
    });
    await expect(alloc).resolves.toEqual({
      measurements: [series('TOTAL_GPU')],
      missingTypes: ['ALLOCATED_GPU'],
      partial: true,
    });
    const failed = new Error('Run:ai is down');
    const call = calls.get('b');
    // The pending call of pool b rejects: only its field fails.
    (call as unknown as { answer: (v: unknown) => void }).answer(Promise.reject(failed));
    await expect(other).rejects.toBe(failed);
  });

  it('serves series of known types only, and treats a reordered type list as the same key', async () => {
    const { api, calls } = pendingMetricsApi();
    const loaders = createLoaders(api);
    const first = loaders.metrics.load(key('a', ['GPU_UTILIZATION', 'TOTAL_GPU']));
    const reordered = loaders.metrics.load(key('a', ['TOTAL_GPU', 'GPU_UTILIZATION']));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.size).toBe(1);
    // A newer Run:ai may send a type this gateway does not know: it is read with type null.
    const unknown = { type: null, rawType: 'WORKLOADS_COUNT', labels: null, values: [] };
    calls.get('a')?.answer({
      partial: false,
      measurements: [series('TOTAL_GPU'), unknown, series('GPU_UTILIZATION')],
    });
    const slice = await first;
    expect(slice).toEqual({
      measurements: [series('TOTAL_GPU'), series('GPU_UTILIZATION')],
      missingTypes: [],
      partial: false,
    });
    expect(await reordered).toBe(slice);
  });
});

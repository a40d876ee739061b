import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    config: { logLevel: 'silent' },
    simulator: { partialMetricTypes: ['AVG_WORKLOAD_WAIT_TIME'] },
  });
});
afterAll(() => stack.stop());
beforeEach(() => stack.simulator.clearRequests());

interface Series {
  type: string;
  labels: Record<string, string> | null;
  samples: { timestamp: string; value: number; raw: string }[];
  latest: { value: number; raw: string } | null;
}

describe('NodePool.metrics', () => {
  it('returns numeric samples parsed from Run:ai strings, with the raw text and the latest sample', async () => {
    const res = await stack.query<{ nodePool: { metrics: { series: Series[]; missingTypes: string[] } } }>(
      `{ nodePool(id: "2") { metrics(types: [GPU_UTILIZATION], window: { start: "2025-02-10T11:00:00Z", end: "2025-02-10T12:00:00Z", samples: 7 }) {
          series { type labels samples { timestamp value raw } latest { value raw } } missingTypes } } }`,
    );
    expect(res.errors).toBeUndefined();
    const [series] = res.data?.nodePool.metrics.series ?? [];
    expect(series?.samples).toHaveLength(7);
    for (const sample of series?.samples ?? []) expect(sample.value).toBe(Number.parseFloat(sample.raw));
    expect(series?.latest).toEqual({
      value: series?.samples.at(-1)?.value,
      raw: series?.samples.at(-1)?.raw,
    });
    expect(series?.samples[0]?.timestamp).toBe('2025-02-10T11:00:00.000Z');
    const call = stack.simulator.requests.find((r) => r.operation === 'get_nodepool_metrics');
    expect(call?.query).toMatchObject({
      start: '2025-02-10T11:00:00.000Z',
      end: '2025-02-10T12:00:00.000Z',
      numberOfSamples: '7',
      metricType: 'GPU_UTILIZATION',
    });
  });

  it('gives one series per bucket for the utilisation distribution, told apart by the range label', async () => {
    const res = await stack.query<{ nodePool: { metrics: { series: Series[] } } }>(
      '{ nodePool(id: "2") { metrics(types: [GPU_UTILIZATION_DISTRIBUTION]) { series { type labels } } } }',
    );
    const labels = res.data?.nodePool.metrics.series.map((s) => s.labels?.range);
    expect(labels).toEqual(['0-25', '25-50', '50-75', '75-100']);
  });

  it('splits one upstream answer back per aliased field, and windows that differ make separate calls', async () => {
    const res = await stack.query<Record<string, { metrics: { series: Series[] } }>>(
      `{ nodePool(id: "2") {
          a: metrics(types: [GPU_UTILIZATION, TOTAL_GPU]) { series { type } }
          b: metrics(types: [TOTAL_GPU]) { series { type } }
          c: metrics(types: [CPU_UTILIZATION], window: { samples: 5 }) { series { type } } } }`,
    );
    const pool = res.data?.nodePool as unknown as Record<string, { series: { type: string }[] }>;
    expect(pool.a?.series.map((s) => s.type).sort()).toEqual(['GPU_UTILIZATION', 'TOTAL_GPU']);
    expect(pool.b?.series.map((s) => s.type)).toEqual(['TOTAL_GPU']);
    expect(pool.c?.series.map((s) => s.type)).toEqual(['CPU_UTILIZATION']);
    const calls = stack.simulator.requests.filter((r) => r.operation === 'get_nodepool_metrics');
    expect(calls.map((c) => c.query.metricType).sort()).toEqual([
      'CPU_UTILIZATION',
      'GPU_UTILIZATION,TOTAL_GPU',
    ]);
  });

  it('treats a repeated or reordered type list as the same request: one series per type, one call', async () => {
    const res = await stack.query<{
      nodePool: Record<string, { series: { type: string }[]; missingTypes: string[] }>;
    }>(
      `{ nodePool(id: "2") {
          a: metrics(types: [GPU_UTILIZATION, TOTAL_GPU]) { series { type } missingTypes }
          b: metrics(types: [TOTAL_GPU, GPU_UTILIZATION, TOTAL_GPU]) { series { type } missingTypes } } }`,
    );
    expect(res.errors).toBeUndefined();
    for (const alias of ['a', 'b']) {
      const metrics = res.data?.nodePool[alias];
      expect(metrics?.series.map((s) => s.type).sort()).toEqual(['GPU_UTILIZATION', 'TOTAL_GPU']);
      expect(metrics?.missingTypes).toEqual([]);
    }
    expect(stack.simulator.countRequests({ operation: 'get_nodepool_metrics' })).toBe(1);
  });

  it('on a 207 returns the series that came, lists the missing types, and adds a PARTIAL_RESULT error', async () => {
    const res = await stack.query<{ nodePool: { metrics: { series: Series[]; missingTypes: string[] } } }>(
      '{ nodePool(id: "2") { metrics(types: [GPU_UTILIZATION, AVG_WORKLOAD_WAIT_TIME]) { series { type } missingTypes } } }',
    );
    expect(res.data?.nodePool.metrics.series.map((s) => s.type)).toEqual(['GPU_UTILIZATION']);
    expect(res.data?.nodePool.metrics.missingTypes).toEqual(['AVG_WORKLOAD_WAIT_TIME']);
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions?.code).toBe('PARTIAL_RESULT');
    expect(res.errors?.[0]?.message).toContain('AVG_WORKLOAD_WAIT_TIME');
    expect(res.errors?.[0]?.path).toEqual(['nodePool', 'metrics']);
  });

  it('fails only the metrics field of a pool whose metrics call fails', async () => {
    stack.simulator.faults.failNext(1, 500, { operation: 'get_nodepool_metrics' });
    const res = await stack.query<{ nodePool: { name: string; metrics: null } }>(
      '{ nodePool(id: "2") { name metrics(types: [GPU_UTILIZATION]) { missingTypes } } }',
    );
    expect(res.data?.nodePool.name).toBeTruthy();
    expect(res.data?.nodePool.metrics).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(res.errors?.[0]?.path).toEqual(['nodePool', 'metrics']);
  });
});

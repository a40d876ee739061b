import { DISTRIBUTION_RANGES, SEED_CLUSTERS } from 'runai-simulator';
import type { components } from 'runai-simulator/openapi-types';
import { describe, expect, it } from 'vitest';
import { call, startSimulator } from './helpers.js';

type MetricsResponse = components['schemas']['MetricsResponse'];

const path = (types: string, samples = 5, pool = 'a100') =>
  `/api/v1/clusters/${SEED_CLUSTERS.prod.id}/nodepools/${pool}/metrics?start=2025-01-01T00:00:00Z&end=2025-01-01T01:00:00Z&numberOfSamples=${samples}&metricType=${types}`;

describe('simulator: metrics', () => {
  it('answers every type with numberOfSamples evenly spaced numeric-string values', async () => {
    const sim = await startSimulator();
    const types = [
      'TOTAL_GPU_NODES',
      'GPU_UTILIZATION',
      'GPU_MEMORY_UTILIZATION',
      'CPU_UTILIZATION',
      'CPU_MEMORY_UTILIZATION',
      'TOTAL_GPU',
      'GPU_QUOTA',
      'ALLOCATED_GPU',
      'UNALLOCATED_GPU',
      'AVG_WORKLOAD_WAIT_TIME',
    ];
    const res = await call<MetricsResponse>(sim, path(types.join(',')));
    expect(res.status).toBe(200);
    expect(res.body.measurements.map((m) => m.type)).toEqual(types);
    for (const m of res.body.measurements) {
      expect(m.labels).toBeNull();
      expect(m.values?.map((v) => v.timestamp)).toEqual([
        '2025-01-01T00:00:00.000Z',
        '2025-01-01T00:15:00.000Z',
        '2025-01-01T00:30:00.000Z',
        '2025-01-01T00:45:00.000Z',
        '2025-01-01T01:00:00.000Z',
      ]);
      for (const v of m.values ?? []) expect(Number.isFinite(Number(v.value))).toBe(true);
    }
    const byType = Object.fromEntries(res.body.measurements.map((m) => [m.type, m.values?.[0]?.value]));
    expect(byType['TOTAL_GPU_NODES']).toBe('4');
    expect(Number(byType['ALLOCATED_GPU']) + Number(byType['UNALLOCATED_GPU'])).toBe(
      Number(byType['TOTAL_GPU']),
    );
  });

  it('is deterministic: the same query gives the same answer', async () => {
    const sim = await startSimulator();
    const a = await call(sim, path('GPU_UTILIZATION,CPU_UTILIZATION'));
    const b = await call(sim, path('GPU_UTILIZATION,CPU_UTILIZATION'));
    expect(a.text).toBe(b.text);
  });

  it('splits GPU_UTILIZATION_DISTRIBUTION into 4 measurements labelled by range', async () => {
    const sim = await startSimulator();
    const res = await call<MetricsResponse>(sim, path('GPU_UTILIZATION_DISTRIBUTION', 3));
    expect(res.body.measurements.map((m) => m.labels)).toEqual(
      DISTRIBUTION_RANGES.map((range) => ({ range })),
    );
    expect(DISTRIBUTION_RANGES).toEqual(['0-25', '25-50', '50-75', '75-100']);
    const sum = res.body.measurements.reduce((total, m) => total + Number(m.values?.[0]?.value), 0);
    expect(sum).toBe(32);
  });

  it('answers numberOfSamples=0 with empty value lists', async () => {
    const sim = await startSimulator();
    const res = await call<MetricsResponse>(sim, path('TOTAL_GPU', 0));
    expect(res.body.measurements).toEqual([{ type: 'TOTAL_GPU', labels: null, values: [] }]);
  });

  it('answers 207 with only the computable types when some are in partialMetricTypes', async () => {
    const sim = await startSimulator({ partialMetricTypes: ['GPU_QUOTA'] });
    const res = await call<MetricsResponse>(sim, path('TOTAL_GPU,GPU_QUOTA'));
    expect(res.status).toBe(207);
    expect(res.body.measurements.map((m) => m.type)).toEqual(['TOTAL_GPU']);
    expect((await call(sim, path('TOTAL_GPU'))).status).toBe(200);
  });

  it('answers text/csv with header type,labels,timestamp,value when asked', async () => {
    const sim = await startSimulator();
    const res = await call(sim, path('TOTAL_GPU,GPU_UTILIZATION_DISTRIBUTION', 2), {
      headers: { accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('type,labels,timestamp,value');
    expect(lines).toHaveLength(1 + 2 + 4 * 2);
    expect(lines[1]).toBe('TOTAL_GPU,,2025-01-01T00:00:00.000Z,32');
    expect(lines[3]).toMatch(/^GPU_UTILIZATION_DISTRIBUTION,range=0-25,2025-01-01T00:00:00.000Z,\d+$/);
  });

  it('answers 404 for an unknown pool name or cluster', async () => {
    const sim = await startSimulator();
    expect((await call(sim, path('TOTAL_GPU', 2, 'nope'))).status).toBe(404);
    const unknownCluster = path('TOTAL_GPU').replace(
      SEED_CLUSTERS.prod.id,
      '00000000-0000-4000-8000-000000000000',
    );
    expect(await call(sim, unknownCluster)).toMatchObject({ status: 404, body: { code: 404 } });
  });
});

import { describe, expect, it, vi } from 'vitest';
import { parseMetrics } from '../../src/upstream/parse-pool-metrics.js';
import { badResponse } from './parse-fixtures.js';

describe('parseMetrics', () => {
  it('normalizes timestamps and values, keeps labels, maps unknown types to null with a warning', () => {
    const warn = vi.fn();
    const metrics = parseMetrics(
      {
        measurements: [
          {
            type: 'GPU_UTILIZATION',
            labels: null,
            values: [
              { value: '42.5', timestamp: '2025-02-10T12:00:00Z' },
              { value: 43, timestamp: '2023-06-06 12:09:18.211' },
            ],
          },
          { type: 'GPU_UTILIZATION_DISTRIBUTION', labels: { range: '0-25' }, values: null },
          { type: 'WORKLOADS_COUNT', values: [{ value: '3', timestamp: null }], extra: true },
        ],
      },
      warn,
      { partial: true },
    );
    expect(metrics).toEqual({
      partial: true,
      measurements: [
        {
          type: 'GPU_UTILIZATION',
          rawType: 'GPU_UTILIZATION',
          labels: null,
          values: [
            { value: '42.5', timestamp: '2025-02-10T12:00:00.000Z' },
            { value: '43', timestamp: '2023-06-06T12:09:18.211Z' },
          ],
        },
        {
          type: 'GPU_UTILIZATION_DISTRIBUTION',
          rawType: 'GPU_UTILIZATION_DISTRIBUTION',
          labels: { range: '0-25' },
          values: [],
        },
        { type: null, rawType: 'WORKLOADS_COUNT', labels: null, values: [{ value: '3', timestamp: null }] },
      ],
    });
    expect(warn).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith(
      { field: 'type', value: 'WORKLOADS_COUNT' },
      'unknown enum value from Run:ai',
    );
  });

  const measurement = (values: unknown) => ({ measurements: [{ type: 'TOTAL_GPU', values }] });

  it.each([
    [[{ value: '1' }, { timestamp: null }], 'measurements.0.values.1.value: missing'],
    [[{ value: true }], 'measurements.0.values.0.value: expected a string or a number'],
    [['1'], 'measurements.0.values.0: expected an object'],
    [{ value: '1' }, 'measurements.0.values: expected an array'],
  ])('names the sample that breaks the rules: values %j fail with "%s"', (values, message) => {
    expect(badResponse(() => parseMetrics(measurement(values), vi.fn())).message).toContain(message);
  });

  it('tolerates bad sample timestamps: null, with a warning', () => {
    const warn = vi.fn();
    const parsed = parseMetrics(
      measurement([{ value: '1', timestamp: 17 }, { value: '2', timestamp: 'yesterday' }, { value: '3' }]),
      warn,
    );
    expect(parsed.measurements[0]?.values).toEqual([
      { value: '1', timestamp: null },
      { value: '2', timestamp: null },
      { value: '3', timestamp: null },
    ]);
    expect(warn.mock.calls).toEqual([
      [{ field: 'timestamp', value: 17 }, 'invalid value from Run:ai'],
      [{ field: 'timestamp', value: 'yesterday' }, 'invalid value from Run:ai'],
    ]);
  });

  it('keeps well-formed samples as sent and copies only when one needs normalising', () => {
    const good = [
      { value: '1', timestamp: '2026-01-01T00:00:00.000Z' },
      { value: '2', timestamp: '2026-01-01T00:01:00.000Z' },
    ];
    const untouched = parseMetrics({ measurements: [{ type: 'TOTAL_GPU', values: good }] }, vi.fn());
    expect(untouched.measurements[0]?.values).toBe(good);

    const mixed = [
      good[0],
      { value: 3, timestamp: '2026-01-01T00:02:00Z' },
      good[1],
      { value: '4', timestamp: '2026-02-30T00:00:00.000Z' },
    ];
    const warn = vi.fn();
    const copied = parseMetrics({ measurements: [{ type: 'TOTAL_GPU', values: mixed }] }, warn);
    const values = copied.measurements[0]?.values;
    expect(values).not.toBe(mixed);
    expect(values).toEqual([
      good[0],
      { value: '3', timestamp: '2026-01-01T00:02:00.000Z' },
      good[1],
      { value: '4', timestamp: null },
    ]);
    expect(values?.[0]).toBe(good[0]);
    expect(values?.[2]).toBe(good[1]);
    expect(mixed[1]).toEqual({ value: 3, timestamp: '2026-01-01T00:02:00Z' });
    expect(warn).toHaveBeenCalledOnce();
  });

  it('requires measurements', () => {
    const err = badResponse(() => parseMetrics({}, vi.fn()));
    expect(err.operation).toBe('get_nodepool_metrics');
    expect(err.message).toContain('measurements: missing');
  });
});

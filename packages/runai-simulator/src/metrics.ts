import { hash32 } from './hash.js';
import type { components } from './openapi-types.js';

type Measurement = components['schemas']['MeasurementResponse'];

/** Buckets of GPU_UTILIZATION_DISTRIBUTION, one measurement each, told apart by the `range` label. */
export const DISTRIBUTION_RANGES = ['0-25', '25-50', '50-75', '75-100'] as const;

/** GPUs per simulated node, to turn node counts into GPU counts. */
const GPUS_PER_NODE = 8;

/** What the synthetic series of a pool depend on. */
export interface MetricsSubject {
  poolId: number;
  nodeCount: number;
}

/** `count` instants evenly spaced over [start, end] (one sample: start). */
export function sampleTimes(start: number, end: number, count: number): number[] {
  if (count <= 0) return [];
  if (count === 1) return [start];
  const step = (end - start) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(start + i * step));
}

/** A deterministic fraction in [0, 1) for one (pool, type, instant): same query, same answer. */
function fraction(subject: MetricsSubject, key: string, at: number): number {
  return hash32(`${subject.poolId}|${key}|${at}`) / 0x1_0000_0000;
}

function percent(value: number): string {
  return (Math.round(value * 1000) / 10).toString();
}

function sampleValue(subject: MetricsSubject, type: string, at: number): string {
  const gpus = subject.nodeCount * GPUS_PER_NODE;
  const f = fraction(subject, type, at);
  // Allocation drives several types so that they agree with each other at each instant.
  const allocated = Math.round(gpus * fraction(subject, 'allocation', at));
  switch (type) {
    case 'TOTAL_GPU_NODES':
      return String(subject.nodeCount);
    case 'TOTAL_GPU':
    case 'GPU_QUOTA':
      return String(gpus);
    case 'ALLOCATED_GPU':
      return String(allocated);
    case 'UNALLOCATED_GPU':
      return String(gpus - allocated);
    case 'AVG_WORKLOAD_WAIT_TIME':
      return gpus === 0 ? '0' : String(Math.round(f * 600));
    default:
      // Utilisation percentages; a pool without nodes has nothing to utilise.
      return gpus === 0 ? '0' : percent(f);
  }
}

/** Splits the pool's GPUs over the 4 utilisation buckets at one instant. */
function distribution(subject: MetricsSubject, at: number): number[] {
  const gpus = subject.nodeCount * GPUS_PER_NODE;
  const weights = DISTRIBUTION_RANGES.map((range) => 1 + fraction(subject, `dist-${range}`, at));
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((gpus * w) / total));
  counts[0] = (counts[0] ?? 0) + gpus - counts.reduce((a, b) => a + b, 0);
  return counts;
}

/**
 * Synthetic measurements for the requested types, in request order.
 * GPU_UTILIZATION_DISTRIBUTION yields one measurement per bucket.
 */
export function buildMeasurements(
  subject: MetricsSubject,
  types: readonly string[],
  start: number,
  end: number,
  samples: number,
): Measurement[] {
  const times = sampleTimes(start, end, samples);
  const measurements: Measurement[] = [];
  for (const type of types) {
    if (type === 'GPU_UTILIZATION_DISTRIBUTION') {
      const perTime = times.map((at) => distribution(subject, at));
      DISTRIBUTION_RANGES.forEach((range, bucket) => {
        measurements.push({
          type,
          labels: { range },
          values: times.map((at, i) => ({
            value: String(perTime[i]?.[bucket] ?? 0),
            timestamp: new Date(at).toISOString(),
          })),
        });
      });
      continue;
    }
    measurements.push({
      type,
      labels: null,
      values: times.map((at) => ({
        value: sampleValue(subject, type, at),
        timestamp: new Date(at).toISOString(),
      })),
    });
  }
  return measurements;
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV rendering: header `type,labels,timestamp,value`, labels as `key=value;…`, one row per sample. */
export function measurementsToCsv(measurements: readonly Measurement[]): string {
  const rows = ['type,labels,timestamp,value'];
  for (const m of measurements) {
    const labels = Object.entries(m.labels ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(';');
    for (const v of m.values ?? []) {
      rows.push([m.type, labels, v.timestamp ?? '', v.value].map(csvField).join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}

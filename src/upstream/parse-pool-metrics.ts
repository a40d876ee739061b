/** The parser of Run:ai's metrics answers: series per type, samples read in one pass. */
import { z } from 'zod';
import {
  enumValue,
  isNumber,
  isRecord,
  opt,
  optional,
  optTimestamp,
  parseOrThrow,
  type Reader,
  reader,
  throwBadResponse,
  warnInvalid,
} from './lenient.js';
import {
  METRIC_TYPES,
  type Measurement,
  type MetricValue,
  type NodePoolMetrics,
  type WarnFn,
} from './models.js';
import { isCanonicalTimestamp } from './timestamps.js';

const measurementRaw = z.object({
  type: z.string(),
  labels: optional,
  // Read by readSamples: samples are most of a metrics answer (4,000 for a dashboard), and
  // a zod object per sample cost more than the rest of the parsing together.
  values: optional,
});

const metricsRaw = z.object({ measurements: z.array(measurementRaw) });

/** Series labels: string values, numbers and booleans kept as their text; anything else drops the labels with a warning. */
function optLabels(r: Reader, value: unknown): Record<string, string> | null {
  const raw = opt(r, 'labels', value, isRecord);
  if (raw === null) return null;
  const labels: Record<string, string> = {};
  for (const [key, label] of Object.entries(raw)) {
    if (typeof label !== 'string' && typeof label !== 'boolean' && !isNumber(label)) {
      warnInvalid(r, 'labels', value);
      return null;
    }
    labels[key] = String(label);
  }
  return labels;
}

/**
 * Reads the `values` of one measurement in a single pass: a missing list is
 * empty, `value` is required (a number is kept as its text), `timestamp` is
 * lenient.
 */
function readSamples(r: Reader, raw: unknown, fail: (detail: string) => never): MetricValue[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) return fail('values: expected an array');
  // A dashboard reads thousands of samples: well-formed ones (a string value, a canonical timestamp)
  // are kept as Run:ai sent them, and the array is copied only from the first sample that needs a change.
  let samples: MetricValue[] | undefined;
  for (let i = 0; i < raw.length; i++) {
    const item: unknown = raw[i];
    if (typeof item !== 'object' || item === null) return fail(`values.${i}: expected an object`);
    const { value, timestamp } = item as { value?: unknown; timestamp?: unknown };
    if (typeof value === 'string' && typeof timestamp === 'string' && isCanonicalTimestamp(timestamp)) {
      samples?.push(item as MetricValue);
      continue;
    }
    let text: string;
    if (typeof value === 'string') text = value;
    else if (isNumber(value)) text = String(value);
    else
      return fail(`values.${i}.value: ${value === undefined ? 'missing' : 'expected a string or a number'}`);
    samples ??= (raw as MetricValue[]).slice(0, i);
    samples.push({ value: text, timestamp: optTimestamp(r, 'timestamp', timestamp) });
  }
  return samples ?? (raw as MetricValue[]);
}

function toMeasurement(
  r: Reader,
  raw: z.output<typeof measurementRaw>,
  fail: (detail: string) => never,
): Measurement {
  return {
    type: enumValue(r, 'type', METRIC_TYPES, raw.type),
    rawType: raw.type,
    labels: optLabels(r, raw.labels),
    values: readSamples(r, raw.values, fail),
  };
}

/** Options of {@link parseMetrics}. */
export interface ParseMetricsOptions {
  /** The response was a 207 Partial success. */
  partial?: boolean;
  operation?: string;
}

/** Parses a metrics body (`{"measurements": [...]}`); unknown metric types keep their `rawType`. */
export function parseMetrics(raw: unknown, warn: WarnFn, options: ParseMetricsOptions = {}): NodePoolMetrics {
  const operation = options.operation ?? 'get_nodepool_metrics';
  const { measurements } = parseOrThrow(metricsRaw, raw, operation);
  const r = reader(warn);
  return {
    partial: options.partial ?? false,
    measurements: measurements.map((m, i) =>
      toMeasurement(r, m, (detail) => throwBadResponse(operation, `measurements.${i}.${detail}`)),
    ),
  };
}

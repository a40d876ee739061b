/**
 * Normalized domain types of the Run:ai node-pool API and their lenient
 * parsers. Run:ai adds fields and enum values between versions and renders
 * some values inconsistently (numeric ids, zone-less timestamps), so the
 * parsers accept what is harmless and fail only when a required field is
 * missing or unusable (as an UPSTREAM_BAD_RESPONSE naming the field).
 */
import { z } from 'zod';
import { UpstreamError } from './errors.js';
import type { components } from './types.js';

type Schemas = components['schemas'];

/** Receives warnings about tolerated oddities (pino-compatible `warn(obj, msg)`). */
export type WarnFn = (obj: { field: string; value: unknown }, msg: string) => void;

// ---------------------------------------------------------------------------
// Enum value lists, checked at compile time against the generated types.

/**
 * Returns `values` typed as a const tuple, and fails to compile unless the
 * list holds every member of `T` (the generated union) and nothing else.
 */
const allOf =
  <T extends string>() =>
  <const A extends readonly T[]>(values: A & ([T] extends [A[number]] ? unknown : never)): A =>
    values;

/** Lifecycle phases of a node pool. */
export const NODE_POOL_PHASES = allOf<Schemas['NodepoolPhase']>()([
  'Creating',
  'Updating',
  'Deleting',
  'Empty',
  'Unschedulable',
  'Ready',
  'Deleted',
]);
export type NodePoolPhase = (typeof NODE_POOL_PHASES)[number];

/** Scheduling strategies per resource. */
export const PLACEMENT_STRATEGIES = allOf<NonNullable<Schemas['PlacementStrategy']>>()(['spread', 'binpack']);
export type PlacementStrategy = (typeof PLACEMENT_STRATEGIES)[number];

/** GPU network acceleration detection modes. */
export const GPU_NETWORK_ACCELERATION_DETECTIONS = allOf<
  NonNullable<Schemas['NodepoolGPUNetworkAccelerationDetection']>
>()(['Use', 'DontUse', 'Auto']);
export type GpuNetworkAccelerationDetection = (typeof GPU_NETWORK_ACCELERATION_DETECTIONS)[number];

/** Metric types of `GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics`. */
export const METRIC_TYPES = allOf<Schemas['MetricsType']>()([
  'TOTAL_GPU_NODES',
  'GPU_UTILIZATION',
  'GPU_UTILIZATION_DISTRIBUTION',
  'GPU_MEMORY_UTILIZATION',
  'CPU_UTILIZATION',
  'CPU_MEMORY_UTILIZATION',
  'TOTAL_GPU',
  'GPU_QUOTA',
  'ALLOCATED_GPU',
  'UNALLOCATED_GPU',
  'AVG_WORKLOAD_WAIT_TIME',
]);
export type MetricType = (typeof METRIC_TYPES)[number];

/** Fields `GET /api/v1/node-pools` can sort and filter by. */
export const SORT_FIELDS = allOf<Schemas['NodepoolSortFilterFields']>()([
  'name',
  'phase',
  'clusterId',
  'createdAt',
  'updatedAt',
  'gpuNetworkAccelerationDetection',
  'gpuNetworkAccelerationDetected',
  'gpuNetworkAccelerationLabelKey',
  'swapEnabled',
  'nodeLevelSchedulerEnabled',
]);
export type SortField = (typeof SORT_FIELDS)[number];

/** Sort directions. */
export const SORT_ORDERS = allOf<components['parameters']['SortOrder']>()(['asc', 'desc']);
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Filter operators of `filterBy` (`field<op>value`). */
export const FILTER_OPERATORS = ['==', '!=', '<=', '>=', '=@', '!@', '=^', '=$'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

// ---------------------------------------------------------------------------
// Domain types. Optional upstream fields are `null` when absent, never undefined.

/** Scheduling strategy per resource; `null` members are unset or unknown values. */
export interface PlacementStrategies {
  cpu: PlacementStrategy | null;
  gpu: PlacementStrategy | null;
}

/** GPU memory swap and node-level scheduler settings of a pool. */
export interface GpuResourceOptimization {
  swapEnabled: boolean | null;
  cpuSwapMemorySize: string | null;
  reservedGpuMemoryForSwapOperations: string | null;
  nodeLevelSchedulerEnabled: boolean | null;
}

/** What the cluster last reported for the pool (may lag behind the desired settings). */
export interface NodePoolStatus {
  labelKey: string | null;
  labelValue: string | null;
  /** Names of the nodes in the pool; empty when not reported. */
  nodes: string[];
  gpuNetworkAccelerationDetected: boolean | null;
  placementStrategy: PlacementStrategies | null;
  gpuNetworkAccelerationLabelKey: string | null;
  gpuNetworkAccelerationDetection: GpuNetworkAccelerationDetection | null;
  gpuResourceOptimization: GpuResourceOptimization | null;
  overProvisioningRatio: number | null;
}

/** A node pool as served by `/api/v1/node-pools`. Timestamps are ISO 8601 UTC (`…Z`). */
export interface NodePool {
  /** Numeric string, e.g. `"5"` (shared with the integer ids of the legacy endpoints). */
  id: string;
  name: string;
  clusterId: string;
  clusterName: string;
  tenantId: number;
  labelKey: string;
  labelValue: string;
  isDefault: boolean;
  /** `null` when absent or a phase this gateway does not know. */
  phase: NodePoolPhase | null;
  phaseMessage: string | null;
  placementStrategy: PlacementStrategies | null;
  gpuNetworkAccelerationDetection: GpuNetworkAccelerationDetection | null;
  gpuNetworkAccelerationLabelKey: string | null;
  gpuResourceOptimization: GpuResourceOptimization | null;
  overProvisioningRatio: number | null;
  status: NodePoolStatus | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  deletedAt: string | null;
  deletedBy: string | null;
}

/** A node pool as served by the deprecated `/v1/k8s/clusters/{clusterId}/node-pools` endpoints. */
export interface LegacyNodePool {
  id: number;
  name: string;
  clusterId: string | null;
  labelKey: string | null;
  labelValue: string | null;
  overProvisioningRatio: number | null;
  placementStrategy: PlacementStrategies | null;
  /** The legacy `status` field (it holds the phase). */
  phase: NodePoolPhase | null;
  /** The legacy `statusMessage` field. */
  phaseMessage: string | null;
  /** Decoded from the legacy JSON-string `nodes`; empty when absent or undecodable. */
  nodes: string[];
  isDefault: boolean | null;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  deletedAt: string | null;
}

/** One sample of a measurement. */
export interface MetricValue {
  /** Run:ai sends numbers as strings; kept as given to avoid precision surprises. */
  value: string;
  timestamp: string | null;
}

/** One series of samples (several per type for `GPU_UTILIZATION_DISTRIBUTION`, told apart by labels). */
export interface Measurement {
  /** `null` for a metric type this gateway does not know (see `rawType`). */
  type: MetricType | null;
  /** The type exactly as Run:ai sent it. */
  rawType: string;
  labels: Record<string, string> | null;
  values: MetricValue[];
}

/** The normalized answer of the node-pool metrics endpoint. */
export interface NodePoolMetrics {
  /** True on HTTP 207: only some of the requested types could be computed. */
  partial: boolean;
  measurements: Measurement[];
}

// ---------------------------------------------------------------------------
// Lenient primitives.

/** `2025-02-10T12:00:00.000Z`, exactly as toISOString() prints it. */
const CANONICAL_RE =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const TIMESTAMP_RE =
  /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2})(?::(\d{2}))?(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Whether the `YYYY-MM-DD` that `text` starts with (month 01–12, day 01–31)
 * is on the calendar. Days 29 to 31 exist only in some months: only those
 * need the Date round trip, which would otherwise roll 30 February over to
 * 2 March. Days up to 28 are decided from two character codes, without
 * allocating (thousands of timestamps per metrics answer).
 */
function isCalendarDay(text: string): boolean {
  const tens = text.charCodeAt(8);
  if (tens < 0x32 || (tens === 0x32 && text.charCodeAt(9) <= 0x38)) return true;
  const date = text.slice(0, 10);
  const day = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === date;
}

/** Whether `text` is already what {@link normalizeTimestamp} returns: `YYYY-MM-DDTHH:mm:ss.sssZ`, a real date. */
export function isCanonicalTimestamp(text: string): boolean {
  return text.length === 24 && CANONICAL_RE.test(text) && isCalendarDay(text);
}

/**
 * Normalizes a Run:ai timestamp to ISO 8601 UTC (`2023-06-06T12:09:18.211Z`).
 * Accepts ISO 8601 with `T` or a space, with or without zone (no zone means
 * UTC, as Run:ai renders zone-less times in UTC) and any fraction length.
 * Returns `null` when the text is not a timestamp.
 */
export function normalizeTimestamp(text: string): string | null {
  // Most timestamps already are canonical: skip the Date round trip (thousands per metrics answer).
  if (isCanonicalTimestamp(text)) return text;
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) return null;
  const [, date = '', hm = '00:00', sec = '00', frac = '', zone = 'Z'] = m;
  if (!isCalendarDay(date)) return null;
  const ms = frac.padEnd(3, '0').slice(0, 3);
  let offset = zone.toUpperCase();
  if (offset !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    offset = `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
  }
  const parsed = new Date(`${date}T${hm}:${sec}.${ms}${offset}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}

const timestamp = z.string().transform((text, ctx) => {
  const iso = normalizeTimestamp(text);
  if (iso === null) {
    ctx.issues.push({ code: 'custom', message: 'not a timestamp', input: text });
    return z.NEVER;
  }
  return iso;
});

/** Ids are numeric strings, but some renderings send a JSON number. */
const stringId = z.union([z.string().min(1), z.number().int().transform(String)]);
/** An integer, also when sent as a numeric string. */
const integer = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const INT32 = 2 ** 31;
/** An integer GraphQL's Int can hold (32 bits), e.g. `tenantId` (int32 in the spec). */
const int32 = integer.refine((n) => Number.isInteger(n) && n >= -INT32 && n < INT32, 'not a 32-bit integer');
/** The legacy integer id, tolerating a numeric string; served as a GraphQL Int. */
const intId = int32;
/**
 * A count: int64 in the spec. Counts up to 2^53 - 1 are served exactly (SafeInt); a larger one no
 * JSON client can read exactly, so it is refused rather than rounded.
 */
const count = integer.refine(
  (n) => Number.isSafeInteger(n) && n >= 0,
  'not a count GraphQL clients can represent exactly (0 to 2^53 - 1)',
);

/** Collects the per-parse context: the warning sink and the field path prefix. */
interface Reader {
  warn: WarnFn;
  prefix: string;
}

const at = (r: Reader, field: string): Reader => ({ warn: r.warn, prefix: `${r.prefix}${field}.` });

/** The type test of an optional field. */
type Check<T> = (value: unknown) => value is T;

const isString: Check<string> = (value): value is string => typeof value === 'string';
const isBoolean: Check<boolean> = (value): value is boolean => typeof value === 'boolean';
const isNumber: Check<number> = (value): value is number =>
  typeof value === 'number' && Number.isFinite(value);
/** A number GraphQL's Int can serve. */
const isInt32: Check<number> = (value): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= -INT32 && value < INT32;
const isStringList: Check<string[]> = (value): value is string[] =>
  Array.isArray(value) && value.every(isString);
const isRecord: Check<Record<string, unknown>> = (value): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function warnInvalid(r: Reader, field: string, value: unknown): void {
  r.warn({ field: r.prefix + field, value }, 'invalid value from Run:ai');
}

/**
 * An optional field: absent or null is null, and a value of the wrong type
 * becomes null with a warning instead of failing the whole answer.
 *
 * The zod schemas below check the required fields and leave the optional
 * ones `unknown` for these readers: a zod union with `.catch` per optional
 * field was most of the cost of reading a pool (70 µs of a 900 µs request).
 */
function opt<T>(r: Reader, field: string, value: unknown, check: Check<T>): T | null {
  if (value === null || value === undefined) return null;
  if (check(value)) return value;
  warnInvalid(r, field, value);
  return null;
}

/** An optional timestamp, normalized to ISO 8601 UTC; unreadable text becomes null with a warning. */
function optTimestamp(r: Reader, field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const iso = typeof value === 'string' ? normalizeTimestamp(value) : null;
  if (iso === null) warnInvalid(r, field, value);
  return iso;
}

/** Resolves an enum value; unknown values (newer Run:ai versions) become null with a warning. */
function enumValue<E extends string>(
  r: Reader,
  field: string,
  values: readonly E[],
  value: unknown,
): E | null {
  const text = opt(r, field, value, isString);
  if (text === null) return null;
  if ((values as readonly string[]).includes(text)) return text as E;
  r.warn({ field: r.prefix + field, value: text }, 'unknown enum value from Run:ai');
  return null;
}

// ---------------------------------------------------------------------------
// Raw (wire) schemas: the required fields. z.object strips unknown keys, which is how extra
// fields are ignored; optional fields are `unknown` here and read by the normalizers.

const optional = z.unknown().optional();

const nodePoolRaw = z.object({
  id: stringId,
  name: z.string(),
  clusterId: z.string(),
  clusterName: z.string(),
  tenantId: int32,
  labelKey: z.string(),
  labelValue: z.string(),
  isDefault: z.boolean(),
  phase: optional,
  phaseMessage: optional,
  placementStrategy: optional,
  gpuNetworkAccelerationDetection: optional,
  gpuNetworkAccelerationLabelKey: optional,
  gpuResourceOptimization: optional,
  overProvisioningRatio: optional,
  status: optional,
  createdAt: timestamp,
  createdBy: z.string(),
  updatedAt: timestamp,
  updatedBy: z.string(),
  deletedAt: optional,
  deletedBy: optional,
});

const legacyNodePoolRaw = z.object({
  id: intId,
  name: z.string(),
  clusterId: optional,
  labelKey: optional,
  labelValue: optional,
  overProvisioningRatio: optional,
  placementStrategy: optional,
  status: optional,
  statusMessage: optional,
  // Documented as a JSON-encoded string; an already-decoded array is accepted too.
  nodes: optional,
  isDefault: optional,
  createdAt: optional,
  createdBy: optional,
  updatedAt: optional,
  updatedBy: optional,
  deletedAt: optional,
});

const measurementRaw = z.object({
  type: z.string(),
  labels: optional,
  // Read by readSamples: samples are most of a metrics answer (4,000 for a dashboard), and
  // a zod object per sample cost more than the rest of the parsing together.
  values: optional,
});

const metricsRaw = z.object({ measurements: z.array(measurementRaw) });
const nodePoolListRaw = z.object({ nodepools: z.array(nodePoolRaw) });
const legacyNodePoolListRaw = z.array(legacyNodePoolRaw);
const countRaw = z.object({ count });

// ---------------------------------------------------------------------------
// Normalizers.

function optPlacement(r: Reader, field: string, value: unknown): PlacementStrategies | null {
  const raw = opt(r, field, value, isRecord);
  if (raw === null) return null;
  const s = at(r, field);
  return {
    cpu: enumValue(s, 'cpu', PLACEMENT_STRATEGIES, raw['cpu']),
    gpu: enumValue(s, 'gpu', PLACEMENT_STRATEGIES, raw['gpu']),
  };
}

function optGpuResourceOptimization(
  r: Reader,
  field: string,
  value: unknown,
): GpuResourceOptimization | null {
  const raw = opt(r, field, value, isRecord);
  if (raw === null) return null;
  const s = at(r, field);
  return {
    swapEnabled: opt(s, 'swapEnabled', raw['swapEnabled'], isBoolean),
    cpuSwapMemorySize: opt(s, 'cpuSwapMemorySize', raw['cpuSwapMemorySize'], isString),
    reservedGpuMemoryForSwapOperations: opt(
      s,
      'reservedGpuMemoryForSwapOperations',
      raw['reservedGpuMemoryForSwapOperations'],
      isString,
    ),
    nodeLevelSchedulerEnabled: opt(
      s,
      'nodeLevelSchedulerEnabled',
      raw['nodeLevelSchedulerEnabled'],
      isBoolean,
    ),
  };
}

function optStatus(r: Reader, field: string, value: unknown): NodePoolStatus | null {
  const raw = opt(r, field, value, isRecord);
  if (raw === null) return null;
  const s = at(r, field);
  return {
    labelKey: opt(s, 'labelKey', raw['labelKey'], isString),
    labelValue: opt(s, 'labelValue', raw['labelValue'], isString),
    nodes: opt(s, 'nodes', raw['nodes'], isStringList) ?? [],
    gpuNetworkAccelerationDetected: opt(
      s,
      'gpuNetworkAccelerationDetected',
      raw['gpuNetworkAccelerationDetected'],
      isBoolean,
    ),
    placementStrategy: optPlacement(s, 'placementStrategy', raw['placementStrategy']),
    gpuNetworkAccelerationLabelKey: opt(
      s,
      'gpuNetworkAccelerationLabelKey',
      raw['gpuNetworkAccelerationLabelKey'],
      isString,
    ),
    gpuNetworkAccelerationDetection: enumValue(
      s,
      'gpuNetworkAccelerationDetection',
      GPU_NETWORK_ACCELERATION_DETECTIONS,
      raw['gpuNetworkAccelerationDetection'],
    ),
    gpuResourceOptimization: optGpuResourceOptimization(
      s,
      'gpuResourceOptimization',
      raw['gpuResourceOptimization'],
    ),
    overProvisioningRatio: opt(s, 'overProvisioningRatio', raw['overProvisioningRatio'], isInt32),
  };
}

function toNodePool(r: Reader, raw: z.output<typeof nodePoolRaw>): NodePool {
  return {
    id: raw.id,
    name: raw.name,
    clusterId: raw.clusterId,
    clusterName: raw.clusterName,
    tenantId: raw.tenantId,
    labelKey: raw.labelKey,
    labelValue: raw.labelValue,
    isDefault: raw.isDefault,
    phase: enumValue(r, 'phase', NODE_POOL_PHASES, raw.phase),
    phaseMessage: opt(r, 'phaseMessage', raw.phaseMessage, isString),
    placementStrategy: optPlacement(r, 'placementStrategy', raw.placementStrategy),
    gpuNetworkAccelerationDetection: enumValue(
      r,
      'gpuNetworkAccelerationDetection',
      GPU_NETWORK_ACCELERATION_DETECTIONS,
      raw.gpuNetworkAccelerationDetection,
    ),
    gpuNetworkAccelerationLabelKey: opt(
      r,
      'gpuNetworkAccelerationLabelKey',
      raw.gpuNetworkAccelerationLabelKey,
      isString,
    ),
    gpuResourceOptimization: optGpuResourceOptimization(
      r,
      'gpuResourceOptimization',
      raw.gpuResourceOptimization,
    ),
    overProvisioningRatio: opt(r, 'overProvisioningRatio', raw.overProvisioningRatio, isInt32),
    status: optStatus(r, 'status', raw.status),
    createdAt: raw.createdAt,
    createdBy: raw.createdBy,
    updatedAt: raw.updatedAt,
    updatedBy: raw.updatedBy,
    deletedAt: optTimestamp(r, 'deletedAt', raw.deletedAt),
    deletedBy: opt(r, 'deletedBy', raw.deletedBy, isString),
  };
}

/** Decodes the legacy JSON-string node list; anything undecodable yields [] (with a warning). */
function legacyNodes(r: Reader, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (isStringList(value)) return value;
  if (typeof value === 'string') {
    if (value.trim() === '') return [];
    try {
      const decoded: unknown = JSON.parse(value);
      if (isStringList(decoded)) return decoded;
      if (decoded === null) return [];
    } catch {
      // fall through to the warning
    }
  }
  warnInvalid(r, 'nodes', value);
  return [];
}

function toLegacyNodePool(r: Reader, raw: z.output<typeof legacyNodePoolRaw>): LegacyNodePool {
  return {
    id: raw.id,
    name: raw.name,
    clusterId: opt(r, 'clusterId', raw.clusterId, isString),
    labelKey: opt(r, 'labelKey', raw.labelKey, isString),
    labelValue: opt(r, 'labelValue', raw.labelValue, isString),
    overProvisioningRatio: opt(r, 'overProvisioningRatio', raw.overProvisioningRatio, isInt32),
    placementStrategy: optPlacement(r, 'placementStrategy', raw.placementStrategy),
    phase: enumValue(r, 'status', NODE_POOL_PHASES, raw.status),
    phaseMessage: opt(r, 'statusMessage', raw.statusMessage, isString),
    nodes: legacyNodes(r, raw.nodes),
    isDefault: opt(r, 'isDefault', raw.isDefault, isBoolean),
    createdAt: optTimestamp(r, 'createdAt', raw.createdAt),
    createdBy: opt(r, 'createdBy', raw.createdBy, isString),
    updatedAt: optTimestamp(r, 'updatedAt', raw.updatedAt),
    updatedBy: opt(r, 'updatedBy', raw.updatedBy, isString),
    deletedAt: optTimestamp(r, 'deletedAt', raw.deletedAt),
  };
}

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

// ---------------------------------------------------------------------------
// Strict part: required fields.

/**
 * Parses with `schema` or throws UPSTREAM_BAD_RESPONSE naming the first
 * offending fields (never the whole body, which may be large or sensitive).
 */
function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
    const missing = issue.path.length > 0 && valueAt(raw, issue.path) === undefined;
    return `${field}: ${missing ? 'missing' : issue.message}`;
  });
  const detail = problems.join('; ');
  return throwBadResponse(operation, detail, result.error);
}

function throwBadResponse(operation: string, detail: string, cause?: unknown): never {
  throw new UpstreamError({
    code: 'UPSTREAM_BAD_RESPONSE',
    operation,
    message: `Run:ai returned an invalid response (${operation}): ${detail}`,
    details: detail,
    cause,
  });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const reader = (warn: WarnFn, prefix = ''): Reader => ({ warn, prefix });

// ---------------------------------------------------------------------------
// Public parsers.

/**
 * Parses one node pool of the `/api/v1/node-pools` API.
 * @throws {UpstreamError} UPSTREAM_BAD_RESPONSE when a required field is missing or has the wrong type.
 */
export function parseNodePool(raw: unknown, warn: WarnFn, operation = 'get_nodepool'): NodePool {
  return toNodePool(reader(warn), parseOrThrow(nodePoolRaw, raw, operation));
}

/**
 * Parses the `{"nodepools": [...]}` envelope of `GET /api/v1/node-pools`
 * (the list is required: an answer without it is not an empty page). Field paths in errors include the item
 * index (`nodepools.3.createdAt`); warnings name the field within the pool.
 */
export function parseNodePoolList(raw: unknown, warn: WarnFn, operation = 'get_nodepools'): NodePool[] {
  const { nodepools } = parseOrThrow(nodePoolListRaw, raw, operation);
  const r = reader(warn);
  return nodepools.map((pool) => toNodePool(r, pool));
}

/** Parses the `{"count": n}` body of `GET /api/v1/node-pools/count`. */
export function parseCount(raw: unknown, operation = 'count_nodepools'): number {
  return parseOrThrow(countRaw, raw, operation).count;
}

/**
 * Parses one node pool of the deprecated `/v1/k8s` API (integer id, phase in
 * `status`, nodes as a JSON string).
 */
export function parseLegacyNodePool(raw: unknown, warn: WarnFn, operation = 'getNodePools'): LegacyNodePool {
  return toLegacyNodePool(reader(warn), parseOrThrow(legacyNodePoolRaw, raw, operation));
}

/** Parses the bare array body of `GET /v1/k8s/clusters/{clusterId}/node-pools`. */
export function parseLegacyNodePoolList(
  raw: unknown,
  warn: WarnFn,
  operation = 'getNodePools',
): LegacyNodePool[] {
  const r = reader(warn);
  return parseOrThrow(legacyNodePoolListRaw, raw, operation).map((pool) => toLegacyNodePool(r, pool));
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

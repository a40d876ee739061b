import { HttpError } from './errors.js';
import type { PoolRecord } from './model.js';
import type { PoolState, PoolStore } from './store.js';

/** The fields filterBy and sortBy accept (the spec's NodepoolSortFilterFields). */
export type PoolField =
  | 'name'
  | 'clusterId'
  | 'phase'
  | 'createdAt'
  | 'updatedAt'
  | 'gpuNetworkAccelerationDetection'
  | 'gpuNetworkAccelerationDetected'
  | 'gpuNetworkAccelerationLabelKey'
  | 'swapEnabled'
  | 'nodeLevelSchedulerEnabled';

type Operator = '==' | '!=' | '<=' | '>=' | '=@' | '!@' | '=^' | '=$';
type FieldValue = string | number | boolean | null;

const DATE_FIELDS = new Set<PoolField>(['createdAt', 'updatedAt']);
const BOOLEAN_FIELDS = new Set<PoolField>([
  'gpuNetworkAccelerationDetected',
  'swapEnabled',
  'nodeLevelSchedulerEnabled',
]);
// The operator alternation mirrors the spec's filterBy pattern; the spec itself already rejected anything else.
const FILTER = /^([A-Za-z]+)(==|!=|<=|>=|=@|!@|=\^|=\$)(.+)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A pool with the values filterBy/sortBy look at. */
export interface PoolRow {
  pool: PoolRecord;
  state: PoolState;
}

/**
 * A row whose state (phase, nodes) is computed only if a filter or the sort
 * looks at it: with 100k generated pools most list calls never need it.
 */
export class LazyPoolRow implements PoolRow {
  private cached: PoolState | undefined;

  constructor(
    readonly pool: PoolRecord,
    private readonly store: PoolStore,
  ) {}

  get state(): PoolState {
    this.cached ??= this.store.state(this.pool);
    return this.cached;
  }
}

/** The value a filter or sort on `field` looks at. */
export function fieldValue(row: PoolRow, field: PoolField): FieldValue {
  const { pool, state } = row;
  switch (field) {
    case 'name':
      return pool.name;
    case 'clusterId':
      return pool.clusterId;
    case 'phase':
      return state.phase;
    case 'createdAt':
      return pool.createdAt;
    case 'updatedAt':
      return pool.updatedAt;
    case 'gpuNetworkAccelerationDetection':
      return pool.gpuNetworkAccelerationDetection;
    case 'gpuNetworkAccelerationDetected':
      return state.gpuNetworkAccelerationDetected;
    case 'gpuNetworkAccelerationLabelKey':
      return pool.gpuNetworkAccelerationLabelKey;
    case 'swapEnabled':
      return pool.gpuResourceOptimization.swapEnabled;
    case 'nodeLevelSchedulerEnabled':
      return pool.gpuResourceOptimization.nodeLevelSchedulerEnabled;
  }
}

/** One parsed filterBy item. */
export interface Filter {
  field: PoolField;
  operator: Operator;
  value: string | number | boolean;
}

/**
 * Parses filterBy items (already checked against the spec's pattern) and
 * applies the rules the spec states only in prose: dates only with == != <= >=
 * and a valid ISO 8601 value, booleans only with == != and true/false.
 */
export function parseFilters(items: readonly string[]): Filter[] {
  return items.map((item) => {
    const match = FILTER.exec(item);
    if (!match) throw new HttpError(400, `Invalid filterBy: '${item}' is not field-name operator value`);
    const field = match[1] as PoolField;
    const operator = match[2] as Operator;
    const raw = match[3] as string;
    if (DATE_FIELDS.has(field)) {
      if (!['==', '!=', '<=', '>='].includes(operator)) {
        throw new HttpError(400, `Invalid filterBy: ${field} is a date and supports only ==, !=, <= and >=`);
      }
      const ms = Date.parse(raw);
      if (!ISO_DATE.test(raw) || Number.isNaN(ms)) {
        throw new HttpError(400, `Invalid filterBy: '${raw}' is not an ISO 8601 date for ${field}`);
      }
      return { field, operator, value: ms };
    }
    if (BOOLEAN_FIELDS.has(field)) {
      if (operator !== '==' && operator !== '!=') {
        throw new HttpError(400, `Invalid filterBy: ${field} is a boolean and supports only == and !=`);
      }
      if (raw !== 'true' && raw !== 'false') {
        throw new HttpError(400, `Invalid filterBy: ${field} must be compared with true or false`);
      }
      return { field, operator, value: raw === 'true' };
    }
    return { field, operator, value: raw };
  });
}

function matches(actual: FieldValue, operator: Operator, expected: string | number | boolean): boolean {
  if (actual === null) {
    // A missing value equals nothing and contains nothing.
    return operator === '!=' || operator === '!@';
  }
  switch (operator) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<=':
      return actual <= expected;
    case '>=':
      return actual >= expected;
    case '=@':
      return String(actual).includes(String(expected));
    case '!@':
      return !String(actual).includes(String(expected));
    case '=^':
      return String(actual).startsWith(String(expected));
    case '=$':
      return String(actual).endsWith(String(expected));
  }
}

/** Whether a row passes every filter (several filters are ANDed). */
export function passesFilters(row: PoolRow, filters: readonly Filter[]): boolean {
  return filters.every((filter) => matches(fieldValue(row, filter.field), filter.operator, filter.value));
}

function compareValues(a: FieldValue, b: FieldValue): number {
  if (a === b) return 0;
  // Missing values sort last in ascending order.
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * Sorts rows by a field (case-sensitive ordinal order for strings, instants
 * for dates, false before true), ties and the default order by numeric id.
 */
export function sortRows(rows: PoolRow[], sortBy: PoolField | undefined, order: 'asc' | 'desc'): PoolRow[] {
  const sign = order === 'desc' ? -1 : 1;
  // Rows come in id order already (ids only grow), so the default order needs no sort.
  if (!sortBy) return order === 'desc' ? rows.reverse() : rows;
  return rows.sort((a, b) => {
    const byField = compareValues(fieldValue(a, sortBy), fieldValue(b, sortBy));
    return byField !== 0 ? byField * sign : a.pool.id - b.pool.id;
  });
}

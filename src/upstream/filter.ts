/**
 * `filterBy` encoding for `GET /api/v1/node-pools` and `/count`.
 *
 * Run:ai takes filters as `field<op>value` strings, sent comma-joined in one
 * query value (explode=false) and ANDed. A value holding a comma therefore
 * cannot be encoded: it would split into two filters.
 */
import { type FILTER_OPERATORS, SORT_FIELDS, type SortField } from './models.js';

/** Fields Run:ai filters node pools by: the same list the spec gives for sorting. */
export const FILTER_FIELDS = SORT_FIELDS;
export type FilterField = SortField;

/** Operator names of the GraphQL filter and their `filterBy` spelling (every operator of the spec). */
export const OPERATOR_SYNTAX = {
  eq: '==',
  ne: '!=',
  lte: '<=',
  gte: '>=',
  contains: '=@',
  notContains: '!@',
  startsWith: '=^',
  endsWith: '=$',
} as const satisfies Record<string, (typeof FILTER_OPERATORS)[number]>;
export type FilterOperatorName = keyof typeof OPERATOR_SYNTAX;

export type FilterValue = string | boolean | Date;

/** One condition per operator per field; all conditions are ANDed. */
export type NodePoolFilterSpec = Partial<
  Record<FilterField, Partial<Record<FilterOperatorName, FilterValue | null>>>
>;

/** Thrown for a filter Run:ai cannot express. */
export class FilterEncodingError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'FilterEncodingError';
  }
}

/** The explanation given when a filter value holds a comma. */
export const COMMA_MESSAGE =
  'cannot contain a comma: Run:ai joins filters with commas in one filterBy value, so a comma would split it';

function encodeValue(value: FilterValue): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Encodes a filter as Run:ai `filterBy` strings, in a stable order (field
 * order of FILTER_FIELDS, then operator order), so equal filters give equal
 * URLs and share loader cache entries. Null and undefined conditions are
 * skipped. Throws FilterEncodingError for a value holding a comma.
 */
export function encodeFilterBy(filter: NodePoolFilterSpec | null | undefined): string[] {
  if (!filter) return [];
  const out: string[] = [];
  for (const field of FILTER_FIELDS) {
    const conditions = filter[field];
    if (!conditions) continue;
    for (const op of Object.keys(OPERATOR_SYNTAX) as FilterOperatorName[]) {
      const value = conditions[op];
      if (value === null || value === undefined) continue;
      const encoded = encodeValue(value);
      if (encoded.includes(',')) throw new FilterEncodingError(`${field}.${op} ${COMMA_MESSAGE}`, field);
      out.push(`${field}${OPERATOR_SYNTAX[op]}${encoded}`);
    }
  }
  return out;
}

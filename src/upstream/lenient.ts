/**
 * The lenient reading of Run:ai's answers. Run:ai adds fields and enum values
 * between versions and renders some values inconsistently (numeric ids,
 * zone-less timestamps), so the readers accept what is harmless and fail only
 * when a required field is missing or unusable, as an UPSTREAM_BAD_RESPONSE
 * naming the field.
 */
import { z } from 'zod';
import { UpstreamError } from './errors.js';
import type { WarnFn } from './models.js';
import { normalizeTimestamp } from './timestamps.js';

export const timestamp = z.string().transform((text, ctx) => {
  const iso = normalizeTimestamp(text);
  if (iso === null) {
    ctx.issues.push({ code: 'custom', message: 'not a timestamp', input: text });
    return z.NEVER;
  }
  return iso;
});

/** Ids are numeric strings, but some renderings send a JSON number. */
export const stringId = z.union([z.string().min(1), z.number().int().transform(String)]);
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
export const int32 = integer.refine(
  (n) => Number.isInteger(n) && n >= -INT32 && n < INT32,
  'not a 32-bit integer',
);
/** The legacy integer id, tolerating a numeric string; served as a GraphQL Int. */
export const intId = int32;
/**
 * A count: int64 in the spec. Counts up to 2^53 - 1 are served exactly (SafeInt); a larger one no
 * JSON client can read exactly, so it is refused rather than rounded.
 */
export const count = integer.refine(
  (n) => Number.isSafeInteger(n) && n >= 0,
  'not a count GraphQL clients can represent exactly (0 to 2^53 - 1)',
);

/** Collects the per-parse context: the warning sink and the field path prefix. */
export interface Reader {
  warn: WarnFn;
  prefix: string;
}

export const at = (r: Reader, field: string): Reader => ({ warn: r.warn, prefix: `${r.prefix}${field}.` });

/** The type test of an optional field. */
export type Check<T> = (value: unknown) => value is T;

export const isString: Check<string> = (value): value is string => typeof value === 'string';
export const isBoolean: Check<boolean> = (value): value is boolean => typeof value === 'boolean';
export const isNumber: Check<number> = (value): value is number =>
  typeof value === 'number' && Number.isFinite(value);
/** A number GraphQL's Int can serve. */
export const isInt32: Check<number> = (value): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= -INT32 && value < INT32;
export const isStringList: Check<string[]> = (value): value is string[] =>
  Array.isArray(value) && value.every(isString);
export const isRecord: Check<Record<string, unknown>> = (value): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function warnInvalid(r: Reader, field: string, value: unknown): void {
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
export function opt<T>(r: Reader, field: string, value: unknown, check: Check<T>): T | null {
  if (value === null || value === undefined) return null;
  if (check(value)) return value;
  warnInvalid(r, field, value);
  return null;
}

/** An optional timestamp, normalized to ISO 8601 UTC; unreadable text becomes null with a warning. */
export function optTimestamp(r: Reader, field: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const iso = typeof value === 'string' ? normalizeTimestamp(value) : null;
  if (iso === null) warnInvalid(r, field, value);
  return iso;
}

/** Resolves an enum value; unknown values (newer Run:ai versions) become null with a warning. */
export function enumValue<E extends string>(
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

/** A field the zod schemas leave to the lenient readers. */
export const optional = z.unknown().optional();

// ---------------------------------------------------------------------------
// Strict part: required fields.

/**
 * Parses with `schema` or throws UPSTREAM_BAD_RESPONSE naming the first
 * offending fields (never the whole body, which may be large or sensitive).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown, operation: string): z.output<S> {
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

export function throwBadResponse(operation: string, detail: string, cause?: unknown): never {
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

export const reader = (warn: WarnFn, prefix = ''): Reader => ({ warn, prefix });

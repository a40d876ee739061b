import { type ZodRawShape, type ZodType, z } from 'zod';
import { cursorOffset } from '../domain/cursors.js';
import type { FieldProblem } from '../domain/errors.js';
import { globalIdProblem, nodePoolIdProblem } from '../domain/ids.js';
import { LIMITS } from '../domain/limits.js';
import { filterByFor, MAX_PAGE_SIZE, type NodePoolFilterInput } from '../resolvers/node-pools.js';

/**
 * The rules arguments must follow beyond their GraphQL types, as zod
 * schemas. Every field with arguments declares its rules with
 * {@link argumentRules}; src/graphql/plugins/use-argument-rules.ts checks them on the
 * coerced values before the operation runs, so a broken rule never costs a
 * call to Run:ai. A test checks that every field with arguments has rules
 * naming exactly its arguments.
 */

/**
 * The `extensions` key under which a field declares the rules of its
 * arguments: a zod schema of the whole arguments object, as graphql-js
 * coerced it (the values resolvers receive).
 */

export const ARGUMENT_RULES = 'argumentRules';

/** The `extensions` key that marks a root mutation field whose resolver checks its own arguments' rules. */
export const RULES_IN_RESOLVER = 'argumentRulesInResolver';

/** The broken rules of a field's (coerced) arguments, or undefined when they hold or it declares none. */
export function brokenRules(
  extensions: Readonly<Record<string, unknown>> | null | undefined,
  args: Record<string, unknown>,
): FieldProblem[] | undefined {
  const rules = extensions?.[ARGUMENT_RULES] as ZodType | undefined;
  const parsed = rules?.safeParse(args);
  if (!parsed || parsed.success) return undefined;
  return parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** A field's `extensions` holding the rules of its arguments (one entry per argument). */
export function argumentRules(shape: ZodRawShape, refine?: (rules: z.ZodObject) => z.ZodType) {
  const rules = z.object(shape);
  return { [ARGUMENT_RULES]: refine ? refine(rules) : rules };
}

/** An argument whose GraphQL type is its whole rule (an enum, a UUID, a boolean). */
export const typed = z.unknown().optional();

/** An optional argument or input field: graphql-js gives absent ones as undefined, explicit nulls as null. */
const optional = <T extends z.ZodType>(rule: T) => rule.nullish();

/** Text of at most `max` characters; empty text refused unless `allowEmpty`. */
export function text(max: number, { allowEmpty = false } = {}) {
  const capped = z.string().max(max, `must be at most ${max} characters`);
  return allowEmpty ? capped : capped.min(1, 'must not be empty');
}

const problem = (check: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const message = check(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/** A node pool named by its Relay global id or raw Run:ai id (digits only). */
export const nodePoolId = problem(nodePoolIdProblem);
/** The global id of an object (`node(id:)`). */
export const globalId = problem(globalIdProblem);
/** An integer id of the deprecated API. */
export const legacyId = z.number().int().min(0, 'must not be negative');

/** A list of ids, capped. */
export const idList = <T extends z.ZodType>(id: T) =>
  z.array(id).max(LIMITS.ids, `must hold at most ${LIMITS.ids} ids`);
/** A list of enum values, capped (repeats are allowed and ignored). */
export const enumList = z
  .array(z.string())
  .max(LIMITS.enumList, `must hold at most ${LIMITS.enumList} values`);

/** A page size of a connection. */
export const pageSize = optional(
  z
    .number()
    .int()
    .min(0, `must be between 0 and ${MAX_PAGE_SIZE}`)
    .max(
      MAX_PAGE_SIZE,
      `must be between 0 and ${MAX_PAGE_SIZE} (Run:ai returns at most ${MAX_PAGE_SIZE} pools per call)`,
    ),
);

/** A cursor this API handed out. */
export const cursor = optional(
  z.string().refine((value) => cursorOffset(value) !== undefined, 'is not a cursor of this connection'),
);

const COMMA =
  'cannot contain a comma: Run:ai joins filters with commas in one filterBy value, so a comma would split it';
const filterText = text(LIMITS.filterValue).refine((value) => !value.includes(','), COMMA);
const stringConditions = optional(
  z.object({
    eq: optional(filterText),
    ne: optional(filterText),
    contains: optional(filterText),
    notContains: optional(filterText),
    startsWith: optional(filterText),
    endsWith: optional(filterText),
  }),
);

/** A `NodePoolFilter`: text conditions are capped, hold no comma, and the whole fits in one URL. */
export const nodePoolFilter = optional(
  z
    .object({ name: stringConditions, gpuNetworkAccelerationLabelKey: stringConditions })
    .superRefine((filter, ctx) => {
      const encoded = encodeURIComponent(filterBy(filter).join(','));
      if (encoded.length > LIMITS.filterBy) {
        ctx.addIssue({
          code: 'custom',
          message: `is too long: Run:ai would receive ${encoded.length} characters of filterBy, at most ${LIMITS.filterBy} are sent`,
        });
      }
    }),
);

function filterBy(filter: unknown): string[] {
  try {
    return filterByFor(filter as NodePoolFilterInput);
  } catch {
    return []; // a comma: reported by the condition's own rule
  }
}

/**
 * How long the lists in a field's result are, as its arguments say: the
 * page size of a connection, the ids asked for, the metric types and
 * samples of a window. The cost limit (src/graphql/plugins/use-cost-limit.ts)
 * multiplies by these to estimate an answer before it is fetched.
 */

/** The `extensions` key of a field's list sizes. */
export const LIST_SIZES = 'listSizes';

/** Lists whose length no argument sets (a pool's nodes, a cluster's pools) count as this long. */
export const DEFAULT_LIST_SIZE = 20;

/**
 * A field's `extensions` naming, from its (coerced) arguments, the length of
 * the lists in its result, by field name: the field itself, when it is a
 * list, or any list below it (`edges`, `series`, `samples`).
 */
export function listSizes<Args>(sizes: (args: Args) => Record<string, number>) {
  return { [LIST_SIZES]: sizes };
}

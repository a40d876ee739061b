/**
 * How many Run:ai calls resolving a field can make, as its arguments and
 * its selection say. The cost limit (src/graphql/plugins/use-cost-limit.ts) adds
 * them up over an operation, times the lists above each field, and refuses
 * an operation whose prediction passes `maxUpstreamCalls` before any call
 * is made. A field without a declaration makes no call of its own.
 */

/** The `extensions` key of a field's Run:ai calls. */
export const UPSTREAM_CALLS = 'upstreamCalls';

/** What a field declares of the Run:ai calls it makes. */
export interface UpstreamCallsDeclaration<Args = Record<string, unknown>> {
  /**
   * The calls one resolution of the field makes at most, from its coerced arguments and whether a field
   * of its result is selected (`selects('totalCount')`).
   */
  calls: (args: Args, selects: (field: string) => boolean) => number;
  /**
   * Fields of one object with equal keys share their calls: every `metrics` field of one pool and one
   * window is one call, however many aliases ask for it.
   */
  sharedBy?: ((args: Args) => string) | undefined;
}

/** A field's `extensions` declaring its Run:ai calls: a fixed number, or a declaration. */
export function upstreamCalls<Args>(declaration: number | UpstreamCallsDeclaration<Args>) {
  return {
    [UPSTREAM_CALLS]: typeof declaration === 'number' ? { calls: () => declaration } : declaration,
  };
}

/**
 * What an operation can cost, from its selection and coerced arguments:
 * the values and metric samples its answer can hold, and the Run:ai calls
 * it can make. Computed in one walk over the selection, which also lists
 * every field it selects (src/graphql/operation-analysis.ts).
 */
import {
  type FieldNode,
  type GraphQLField,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isListType,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_LIST_SIZE, LIST_SIZES } from '../schema/list-sizes.js';
import { UPSTREAM_CALLS, type UpstreamCallsDeclaration } from '../schema/upstream-calls.js';
import { fieldsIn, rootFieldNames, type SelectedField, type Walk } from './selected-fields.js';

type Sizes = Readonly<Record<string, number>>;
type Field = GraphQLField<unknown, unknown>;

/** How big an answer can be (all its values, and the metric samples among them), and what it costs Run:ai. */
export interface OperationCost {
  values: number;
  samples: number;
  /** Run:ai calls the operation can make at most (for a subscription: subscribing plus one event). */
  calls: number;
  /** A root field that answers from the schema alone, asked more often than it may be, if one is. */
  repeated?: { field: string; times: number; allowed: number } | undefined;
  /** A subscription's calls per event: those below its root field (the rest are subscribing's own). */
  perEvent?: number | undefined;
  /**
   * A list field whose length no argument declares, with fields below it that call Run:ai: its calls
   * cannot be priced before it runs, so the operation is refused.
   */
  unpriced?: string | undefined;
}

/** A field the operation selects, with its coerced arguments; `root` for the operation's own fields. */
export interface AnalysedField extends SelectedField {
  args: Record<string, unknown>;
  root: boolean;
}

/**
 * Root fields that answer from the schema alone, without Run:ai, and how
 * often one operation may ask for each: their answer is the same each time
 * (`__schema`, `_service`: the whole schema) or a type of it, so repeating
 * them under aliases only multiplies an answer a request does not pay for.
 */
const SCHEMA_ANSWERS: Readonly<Record<string, number>> = { __schema: 1, _service: 1, __type: 10 };

/** The type whose objects count as metric samples. */
const SAMPLE_TYPE = 'MetricSample';

function sizesDeclaredBy(field: Field, args: Record<string, unknown>): Sizes | undefined {
  const declare = field.extensions?.[LIST_SIZES] as ((args: Record<string, unknown>) => Sizes) | undefined;
  return declare?.(args);
}

/** Whether the selection below a field selects a field of this name (through its fragments). */
function selectsBelow(walk: Walk, node: FieldNode, type: string): (name: string) => boolean {
  return (name) => {
    if (!node.selectionSet) return false;
    for (const child of fieldsIn(walk, type, node.selectionSet)) if (child.field.name === name) return true;
    return false;
  };
}

/**
 * What a selection set can produce for one object: each field once, lists
 * times their length; and the Run:ai calls it makes, each field's own plus
 * those below it times its list's length. Fields of the object that share
 * their calls (one pool's metrics of one window) count once per group and
 * `@defer` fragment, since a deferred fragment executes on its own. Every
 * field met goes to `fields`.
 */
function costOf(
  walk: Walk,
  typeName: string,
  selectionSet: SelectionSetNode,
  sizes: Sizes,
  fields: AnalysedField[],
  root: boolean,
): OperationCost & { own: number } {
  const cost = { values: 0, samples: 0, calls: 0, own: 0, unpriced: undefined as string | undefined };
  let shared: Map<object | undefined, Set<string>> | undefined;
  for (const selected of fieldsIn(walk, typeName, selectionSet)) {
    const { node, field, deferredIn } = selected;
    const args = field.args.length > 0 ? getArgumentValues(field, node, walk.variables) : {};
    fields.push({ ...selected, args, root });
    const declared = sizesDeclaredBy(field, args);
    const inScope = declared ? { ...sizes, ...declared } : sizes;
    const list = isListType(getNullableType(field.type));
    const items = list ? (inScope[field.name] ?? DEFAULT_LIST_SIZE) : 1;
    const type = getNamedType(field.type).name;
    const below = node.selectionSet
      ? costOf(walk, type, node.selectionSet, inScope, fields, false)
      : { values: 0, samples: 0, calls: 0, unpriced: undefined };
    // A length guessed for the values is no price for calls: a list of unknown length calls unknown times.
    if (below.unpriced) cost.unpriced ??= below.unpriced;
    else if (list && below.calls > 0 && inScope[field.name] === undefined) cost.unpriced ??= field.name;
    cost.values += items * (1 + below.values);
    cost.samples += items * ((type === SAMPLE_TYPE ? 1 : 0) + below.samples);
    cost.calls += items * below.calls;
    const declaration = field.extensions?.[UPSTREAM_CALLS] as UpstreamCallsDeclaration | undefined;
    if (!declaration) continue;
    const sharedBy = declaration.sharedBy?.(args);
    if (sharedBy !== undefined) {
      shared ??= new Map();
      const groups = shared.get(deferredIn) ?? new Set<string>();
      shared.set(deferredIn, groups);
      if (groups.has(sharedBy)) continue;
      groups.add(sharedBy);
    }
    const calls = declaration.calls(args, selectsBelow(walk, node, type));
    cost.calls += calls;
    cost.own += calls;
  }
  return cost;
}

function repeatedSchemaAnswer(walk: Walk, selectionSet: SelectionSetNode): OperationCost['repeated'] {
  const counts = new Map<string, number>();
  for (const name of rootFieldNames(walk, selectionSet)) {
    const allowed = SCHEMA_ANSWERS[name];
    if (allowed === undefined) continue;
    const times = (counts.get(name) ?? 0) + 1;
    counts.set(name, times);
    if (times > allowed) return { field: name, times, allowed };
  }
  return undefined;
}

/**
 * The cost of an operation's selection (see {@link OperationCost}) and
 * every field it selects, in one walk. Each list counts as long as the
 * arguments say (the page size of a connection, the metric types and
 * samples asked for), from the coerced arguments, so a variable weighs what
 * its literal would. Introspection costs nothing.
 */
export function costAndFields(
  walk: Walk,
  rootType: string,
  selectionSet: SelectionSetNode,
  subscription: boolean,
): { cost: OperationCost; fields: AnalysedField[] } {
  const fields: AnalysedField[] = [];
  const { own, ...cost } = costOf(walk, rootType, selectionSet, {}, fields, true);
  const priced: OperationCost = cost;
  const repeated = repeatedSchemaAnswer(walk, selectionSet);
  if (repeated) priced.repeated = repeated;
  if (subscription) priced.perEvent = cost.calls - own;
  if (!priced.unpriced) delete priced.unpriced;
  return { cost: priced, fields };
}

import {
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isListType,
  type SelectionSetNode,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { DEFAULT_LIST_SIZE, LIST_SIZES } from '../schema/list-sizes.js';
import { UPSTREAM_CALLS, type UpstreamCallsDeclaration } from '../schema/upstream-calls.js';
import { gatewayError } from './errors.js';
import { fieldsIn, rootFieldNames, type Walk, walkOf } from './selected-fields.js';

type Sizes = Readonly<Record<string, number>>;
type Field = GraphQLField<unknown, unknown>;

function sizesDeclaredBy(field: Field, args: Record<string, unknown>): Sizes | undefined {
  const declare = field.extensions?.[LIST_SIZES] as ((args: Record<string, unknown>) => Sizes) | undefined;
  return declare?.(args);
}

/** How big an answer can be (all its values, and the metric samples among them), and what it costs Run:ai. */
export interface OperationCost {
  values: number;
  samples: number;
  /** Run:ai calls the operation can make at most (for a subscription: per event). */
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

/**
 * Root fields that answer from the schema alone, without Run:ai, and how
 * often one operation may ask for each: their answer is the same each time
 * (`__schema`, `_service`: the whole schema) or a type of it, so repeating
 * them under aliases only multiplies an answer a request does not pay for.
 */
const SCHEMA_ANSWERS: Readonly<Record<string, number>> = { __schema: 1, _service: 1, __type: 10 };

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

/** The type whose objects count as metric samples. */
const SAMPLE_TYPE = 'MetricSample';

const NOTHING: OperationCost = { values: 0, samples: 0, calls: 0 };

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
 * `@defer` fragment, since a deferred fragment executes on its own.
 */
function costOf(walk: Walk, typeName: string, selectionSet: SelectionSetNode, sizes: Sizes): OperationCost {
  const cost: OperationCost = { values: 0, samples: 0, calls: 0 };
  let shared: Map<object | undefined, Set<string>> | undefined;
  for (const { node, field, deferredIn } of fieldsIn(walk, typeName, selectionSet)) {
    const args = field.args.length > 0 ? getArgumentValues(field, node, walk.variables) : {};
    const declared = sizesDeclaredBy(field, args);
    const inScope = declared ? { ...sizes, ...declared } : sizes;
    const list = isListType(getNullableType(field.type));
    const items = list ? (inScope[field.name] ?? DEFAULT_LIST_SIZE) : 1;
    const type = getNamedType(field.type).name;
    const below = node.selectionSet ? costOf(walk, type, node.selectionSet, inScope) : NOTHING;
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
    cost.calls += declaration.calls(args, selectsBelow(walk, node, type));
  }
  return cost;
}

/**
 * How many values an operation's answer can hold, and how many metric
 * samples: every object and leaf counts once, and each list counts as long
 * as the arguments say (the page size of a connection, the metric types and
 * samples asked for), from the coerced arguments, so a variable weighs what
 * its literal would. Introspection costs nothing. Undefined when the
 * variables do not coerce (the argument rules report that).
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): OperationCost | undefined {
  const operation = getOperationAST(document, operationName);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return undefined;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return undefined;
  const walk = walkOf(schema, document, coerced.coerced);
  const cost: OperationCost = costOf(walk, rootType.name, operation.selectionSet, {});
  const repeated = repeatedSchemaAnswer(walk, operation.selectionSet);
  if (repeated) cost.repeated = repeated;
  if (operation.operation === 'subscription') {
    cost.perEvent = cost.calls - ownCalls(walk, rootType.name, operation.selectionSet);
  }
  return cost;
}

/** The calls the root fields of a selection make themselves, without what their selections below make. */
function ownCalls(walk: Walk, typeName: string, selectionSet: SelectionSetNode): number {
  let calls = 0;
  for (const { node, field } of fieldsIn(walk, typeName, selectionSet)) {
    const declaration = field.extensions?.[UPSTREAM_CALLS] as UpstreamCallsDeclaration | undefined;
    if (!declaration) continue;
    const args = field.args.length > 0 ? getArgumentValues(field, node, walk.variables) : {};
    calls += declaration.calls(args, selectsBelow(walk, node, getNamedType(field.type).name));
  }
  return calls;
}

/** The request extension that asks for the Run:ai call budget in the response's `extensions`. */
export const CALL_BUDGET_EXTENSION = 'upstreamCallBudget';

/** What the response tells a caller who asked: the calls predicted, the budget, and the calls made. */
export interface CallBudgetReport {
  predicted: number;
  limit: number;
  /** The calls the operation made (absent on an incremental delivery, whose later payloads make more). */
  made?: number;
}

function asked(context: unknown): boolean {
  const params = (context as { params?: { extensions?: Record<string, unknown> | null } }).params;
  return params?.extensions?.[CALL_BUDGET_EXTENSION] === true;
}

/**
 * Refuses, before it runs, an operation whose answer could hold more than
 * `maxCost` values or `maxResponseSamples` metric samples, or that could
 * make more than `maxUpstreamCalls` Run:ai calls (for a subscription, per
 * event): QUERY_LIMIT_EXCEEDED (HTTP 400), naming the limit. All three are
 * computed in one walk over the selection, from the coerced arguments, so a
 * page size passed as a variable weighs what its literal would
 * (graphql-armor's cost limit reads only literals). The prediction goes on
 * the context (`callBudget`, whose runtime counter is the safety net), into
 * the operation log, and, when the request's extensions ask for it
 * (`"upstreamCallBudget": true`), into the response's extensions.
 */
export function useCostLimit({
  maxCost,
  maxResponseSamples,
  maxUpstreamCalls,
}: {
  maxCost: number;
  maxResponseSamples: number;
  maxUpstreamCalls: number;
}): Plugin {
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: {
      schema: GraphQLSchema;
      document: DocumentNode;
      operationName?: string | null | undefined;
      variableValues?: Record<string, unknown> | null | undefined;
      contextValue: unknown;
    };
    setResultAndStopExecution: (result: { errors: Error[] }) => void;
  }) => {
    const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues);
    if (!cost) return;
    const budget = (args.contextValue as Partial<GatewayContext>).callBudget;
    if (budget) {
      budget.predicted = cost.calls;
      budget.perEvent = cost.perEvent;
    }
    const { repeated } = cost;
    const { unpriced } = cost;
    const problem = unpriced
      ? `\`${unpriced}\` is a list whose length no argument sets, and fields below it call Run:ai: its calls cannot be priced before it runs (MAX_UPSTREAM_CALLS). Select no such field below it, or ask for it through a field that pages.`
      : repeated
        ? `\`${repeated.field}\` may be asked ${repeated.allowed === 1 ? 'once' : `${repeated.allowed} times`} per operation, it is asked ${repeated.times} times: its answer comes from the schema alone, and repeating it repeats the schema.`
        : cost.values > maxCost
          ? `Query cost limit of ${maxCost} exceeded: the answer could hold ${cost.values} values. Ask for fewer items, fields or samples.`
          : cost.samples > maxResponseSamples
            ? `Metric sample limit of ${maxResponseSamples} exceeded: the answer could hold ${cost.samples} samples. Ask for fewer items, fields or samples.`
            : cost.calls > maxUpstreamCalls
              ? `Run:ai call budget of ${maxUpstreamCalls} exceeded: the operation could make ${cost.calls} calls to Run:ai. Ask for fewer pools, ids or distinct metrics windows, or page through them.`
              : undefined;
    if (!problem) return;
    setResultAndStopExecution({
      errors: [
        gatewayError('QUERY_LIMIT_EXCEEDED', problem, {
          extensions:
            cost.calls > maxUpstreamCalls
              ? { [CALL_BUDGET_EXTENSION]: { predicted: cost.calls, limit: maxUpstreamCalls } }
              : {},
        }),
      ],
    });
  };
  const report = (context: unknown, made: boolean) => {
    const budget = (context as Partial<GatewayContext>).callBudget;
    if (budget?.predicted === undefined) return undefined;
    const value: CallBudgetReport = { predicted: budget.predicted, limit: budget.limit };
    if (made) value.made = budget.made;
    return value;
  };
  return {
    onExecute(payload) {
      check(payload);
      if (!asked(payload.args.contextValue)) return;
      return {
        onExecuteDone({ args, result, setResult }) {
          if (!isAsyncIterable(result)) {
            const value = report(args.contextValue, true);
            if (value)
              setResult({ ...result, extensions: { ...result.extensions, [CALL_BUDGET_EXTENSION]: value } });
            return;
          }
          let first = true;
          return {
            onNext({ result: payload, setResult: setPayload }) {
              if (!first) return;
              first = false;
              const value = report(args.contextValue, false);
              if (value)
                setPayload({
                  ...payload,
                  extensions: { ...payload.extensions, [CALL_BUDGET_EXTENSION]: value },
                });
            },
          };
        },
      };
    },
    onSubscribe: check,
  };
}

import {
  type DocumentNode,
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
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { DEFAULT_LIST_SIZE, LIST_SIZES } from '../schema/list-sizes.js';
import { fieldsIn, type Walk, walkOf } from './selected-fields.js';

type Sizes = Readonly<Record<string, number>>;
type Field = GraphQLField<unknown, unknown>;

function sizesDeclaredBy(field: Field, args: Record<string, unknown>): Sizes | undefined {
  const declare = field.extensions?.[LIST_SIZES] as ((args: Record<string, unknown>) => Sizes) | undefined;
  return declare?.(args);
}

/** How big an answer can be: all its values, and the metric samples among them. */
export interface OperationCost {
  values: number;
  samples: number;
}

/** The type whose objects count as metric samples. */
const SAMPLE_TYPE = 'MetricSample';

/** What a selection set can produce for one object: each field once, lists times their length. */
function costOf(walk: Walk, typeName: string, selectionSet: SelectionSetNode, sizes: Sizes): OperationCost {
  const cost: OperationCost = { values: 0, samples: 0 };
  for (const { node, field } of fieldsIn(walk, typeName, selectionSet)) {
    const args = field.args.length > 0 ? getArgumentValues(field, node, walk.variables) : {};
    const declared = sizesDeclaredBy(field, args);
    const inScope = declared ? { ...sizes, ...declared } : sizes;
    const items = isListType(getNullableType(field.type)) ? (inScope[field.name] ?? DEFAULT_LIST_SIZE) : 1;
    const type = getNamedType(field.type).name;
    const below = node.selectionSet
      ? costOf(walk, type, node.selectionSet, inScope)
      : { values: 0, samples: 0 };
    cost.values += items * (1 + below.values);
    cost.samples += items * ((type === SAMPLE_TYPE ? 1 : 0) + below.samples);
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
  return costOf(walkOf(schema, document, coerced.coerced), rootType.name, operation.selectionSet, {});
}

/**
 * Refuses, before it runs, an operation whose answer could hold more than
 * `maxCost` values or `maxResponseSamples` metric samples:
 * QUERY_LIMIT_EXCEEDED (HTTP 400), naming the limit. graphql-armor's cost
 * limit reads only literal arguments, so a page size passed as a variable
 * would slip past it; this one reads coerced values.
 */
export function useCostLimit({
  maxCost,
  maxResponseSamples,
}: {
  maxCost: number;
  maxResponseSamples: number;
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
    };
    setResultAndStopExecution: (result: { errors: Error[] }) => void;
  }) => {
    const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues);
    if (!cost) return;
    const problem =
      cost.values > maxCost
        ? `Query cost limit of ${maxCost} exceeded: the answer could hold ${cost.values} values`
        : cost.samples > maxResponseSamples
          ? `Metric sample limit of ${maxResponseSamples} exceeded: the answer could hold ${cost.samples} samples`
          : undefined;
    if (!problem) return;
    setResultAndStopExecution({
      errors: [
        createGraphQLError(`${problem}. Ask for fewer items, fields or samples.`, {
          extensions: { code: 'QUERY_LIMIT_EXCEEDED', http: { status: 400 } },
        }),
      ],
    });
  };
  return { onExecute: check, onSubscribe: check };
}

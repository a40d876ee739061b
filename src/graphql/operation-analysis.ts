/**
 * What the pipeline knows of an operation before it runs, computed once per
 * operation and read by every plugin that needs it (the argument rules, the
 * credentials rule, the cost limit, the response cache, the operation log,
 * tracing, the HTTP results): the operation's definition, its coerced
 * variables, every field it selects with its coerced arguments, and its
 * cost. Kept per context in a WeakMap, as envelop plugins keep their state.
 */
import {
  BREAK,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  visit,
} from 'graphql';
import { type AnalysedField, costAndFields, type OperationCost } from './operation-cost.js';
import { walkOf } from './selected-fields.js';

/** Root fields whose answer is a list or count of the scope's pools. */
const LIST_FIELDS: ReadonlySet<string> = new Set(['nodePools', 'nodePoolCount', 'legacyNodePools']);

export interface OperationAnalysis {
  operation: OperationDefinitionNode;
  /** Its name, as the client wrote it; null for an anonymous operation. */
  name: string | null;
  /** Its variables, coerced as graphql-js will; absent when they do not coerce (`variableErrors`). */
  variables?: Record<string, unknown> | undefined;
  variableErrors?: readonly GraphQLError[] | undefined;
  /** Every field it selects, at every depth, with coerced arguments (none when its variables do not coerce). */
  fields: readonly AnalysedField[];
  /** What it can cost (absent when its variables do not coerce). */
  cost?: OperationCost | undefined;
  /** Whether it lists or counts pools at its root (a fragment at the root counts: it may). */
  listsAtRoot: boolean;
  /** Whether it asks only for introspection (`__schema`, `__type`, `__typename`): the same for every caller. */
  introspectionOnly: boolean;
  /** Whether it asks for incremental delivery (`@defer`, `@stream`). */
  incremental: boolean;
}

/** What a plugin's hook has of an operation: envelop's execution (or subscription) arguments. */
export interface OperationArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variableValues?: Readonly<Record<string, unknown>> | null | undefined;
  contextValue: unknown;
}

const analyses = new WeakMap<object, { document: DocumentNode; analysis: OperationAnalysis | undefined }>();

/**
 * The analysis of the operation these arguments run, computed at the first
 * ask and kept with its context; undefined when the document names no
 * single operation (graphql-js reports that).
 */
export function analysisOf(args: OperationArgs): OperationAnalysis | undefined {
  const key = args.contextValue as object;
  const kept = analyses.get(key);
  if (kept && kept.document === args.document) return kept.analysis;
  const analysis = analyse(args);
  analyses.set(key, { document: args.document, analysis });
  return analysis;
}

function analyse({
  schema,
  document,
  operationName,
  variableValues,
}: OperationArgs): OperationAnalysis | undefined {
  const operation = getOperationAST(document, operationName);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return undefined;
  const roots = operation.selectionSet.selections;
  const base = {
    operation,
    name: operation.name?.value ?? null,
    listsAtRoot: roots.some((s) => s.kind !== Kind.FIELD || LIST_FIELDS.has(s.name.value)),
    introspectionOnly:
      operation.operation === 'query' &&
      roots.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__')),
    incremental: usesIncrementalDelivery(document),
  };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], { ...variableValues });
  if (coerced.errors) return { ...base, variableErrors: coerced.errors, fields: [] };
  const walk = walkOf(schema, document, coerced.coerced);
  const { cost, fields } = costAndFields(
    walk,
    rootType.name,
    operation.selectionSet,
    operation.operation === 'subscription',
  );
  return { ...base, variables: coerced.coerced, fields, cost };
}

/** Whether a document asks for incremental delivery. */
function usesIncrementalDelivery(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

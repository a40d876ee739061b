import {
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { ZodType } from 'zod';
import type { GatewayContext } from '../context.js';
import { badUserInput, type FieldProblem, InputValidationError } from '../resolvers/errors.js';

/**
 * The `extensions` key under which a field declares the rules of its
 * arguments: a zod schema of the whole arguments object, as graphql-js
 * coerced it (the values resolvers receive). See src/schema/argument-rules.ts.
 */
export const ARGUMENT_RULES = 'argumentRules';

type VariableValues = Record<string, unknown>;
type Field = GraphQLField<unknown, unknown>;

/** What the rules found in one operation. */
export interface ArgumentVerdict {
  /** Problems that refuse the whole operation (variables of the wrong type, broken rules). */
  errors: GraphQLError[];
  /** Broken rules of root mutation fields: each such mutation reports its own as a ValidationError result. */
  refusedMutations: Map<FieldNode, InputValidationError>;
}

/**
 * The fields an operation selects, with their definitions, following
 * fragments and honouring `@skip`/`@include` as execution will.
 */
function* selectedFields(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: VariableValues,
): Generator<{ node: FieldNode; field: Field; root: boolean }> {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return;
  const visited = new Set<string>();
  const included = (node: { directives?: readonly unknown[] | undefined }) =>
    !node.directives?.length ||
    (getDirectiveValues(GraphQLSkipDirective, node as FieldNode, variables)?.['if'] !== true &&
      getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, variables)?.['if'] !== false);
  function* walk(
    typeName: string,
    selectionSet: SelectionSetNode,
    root: boolean,
  ): Generator<{ node: FieldNode; field: Field; root: boolean }> {
    const type = schema.getType(typeName);
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const field =
          isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
        if (!field) continue; // __typename and friends
        yield { node: selection, field, root };
        if (selection.selectionSet) {
          yield* walk(getNamedType(field.type).name, selection.selectionSet, false);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        yield* walk(selection.typeCondition?.name.value ?? typeName, selection.selectionSet, root);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        yield* walk(fragment.typeCondition.name.value, fragment.selectionSet, root);
      }
    }
  }
  yield* walk(rootType.name, operation.selectionSet, true);
}

/**
 * Checks an operation before it runs: coerces its variables exactly as
 * graphql-js will, then checks the arguments of every selected field that
 * declares rules, on the coerced values. Nothing is sent to Run:ai for an
 * operation with a problem, even one in a nested field such as
 * `NodePool.metrics`, whose parent would otherwise be fetched first.
 */
export function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: VariableValues | null | undefined,
): ArgumentVerdict {
  const verdict: ArgumentVerdict = { errors: [], refusedMutations: new Map() };
  const operation = getOperationAST(document, operationName);
  if (!operation) return verdict; // graphql-js reports it
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) {
    verdict.errors = coerced.errors.map((error) =>
      createGraphQLError(error.message, {
        nodes: error.nodes ?? null,
        extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
      }),
    );
    return verdict;
  }
  for (const { node, field, root } of selectedFields(schema, document, operation, coerced.coerced)) {
    const rules = field.extensions?.[ARGUMENT_RULES] as ZodType | undefined;
    if (!rules) continue;
    const parsed = rules.safeParse(getArgumentValues(field, node, coerced.coerced));
    if (parsed.success) continue;
    const fields: FieldProblem[] = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    if (root && operation.operation === 'mutation') {
      verdict.refusedMutations.set(node, new InputValidationError(fields));
      continue;
    }
    const detail = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
    verdict.errors.push(
      badUserInput(`Invalid input for ${node.alias?.value ?? node.name.value}: ${detail}`, fields, [node]),
    );
  }
  return verdict;
}

/**
 * Yoga plugin running {@link checkArguments} before every query, mutation
 * and subscription, over HTTP, SSE and WebSocket alike. A problem refuses
 * the operation with BAD_USER_INPUT (HTTP 400), naming every broken rule;
 * only a root mutation field's own input is reported as that mutation's
 * `ValidationError` result, for forms to show next to their fields.
 */
export function useArgumentRules(): Plugin<GatewayContext> {
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: {
      schema: GraphQLSchema;
      document: DocumentNode;
      operationName?: string | null | undefined;
      variableValues?: VariableValues | null | undefined;
      contextValue: unknown;
    };
    setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void;
  }) => {
    const verdict = checkArguments(args.schema, args.document, args.operationName, args.variableValues);
    if (verdict.errors.length > 0) return setResultAndStopExecution({ errors: verdict.errors });
    (args.contextValue as GatewayContext).refusedMutations = verdict.refusedMutations;
  };
  return { onExecute: check, onSubscribe: check };
}

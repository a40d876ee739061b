import {
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { ZodType } from 'zod';
import type { GatewayContext } from '../context.js';
import { badUserInput, type FieldProblem, InputValidationError } from '../resolvers/errors.js';
import { ARGUMENT_RULES } from '../schema/argument-rules.js';
import { selectedFields, walkOf } from './selected-fields.js';

type VariableValues = Record<string, unknown>;

/** What the rules found in one operation. */
export interface ArgumentVerdict {
  /** Problems that refuse the whole operation (variables of the wrong type, broken rules). */
  errors: GraphQLError[];
  /** Broken rules of root mutation fields: each such mutation reports its own as a ValidationError result. */
  refusedMutations: Map<FieldNode, InputValidationError>;
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
  for (const { node, field, root } of selectedFields(walkOf(schema, document, coerced.coerced), operation)) {
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

import {
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { ARGUMENT_RULES, brokenRules, RULES_IN_RESOLVER } from '../schema/argument-rules.js';
import { gatewayError } from './errors.js';
import { selectedFields, walkOf } from './selected-fields.js';

type VariableValues = Record<string, unknown>;

/**
 * Checks an operation before it runs: coerces its variables exactly as
 * graphql-js will, then checks the arguments of every selected field that
 * declares rules, on the coerced values. Nothing is sent to Run:ai for an
 * operation with a problem, even one in a nested field such as
 * `NodePool.metrics`, whose parent would otherwise be fetched first. A root
 * mutation field checks its own input in its resolver instead
 * (src/schema/mutation-rules-plugin.ts), to report it as its `ValidationError` result.
 */
export function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: VariableValues | null | undefined,
): GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return []; // graphql-js reports it
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) {
    return coerced.errors.map((error) =>
      gatewayError('BAD_USER_INPUT', error.message, { nodes: error.nodes }),
    );
  }
  const errors: GraphQLError[] = [];
  for (const { node, field, root } of selectedFields(walkOf(schema, document, coerced.coerced), operation)) {
    if (root && field.extensions?.[RULES_IN_RESOLVER]) continue;
    if (!field.extensions?.[ARGUMENT_RULES]) continue;
    const fields = brokenRules(field.extensions, getArgumentValues(field, node, coerced.coerced));
    if (!fields) continue;
    const detail = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
    errors.push(
      gatewayError('BAD_USER_INPUT', `Invalid input for ${node.alias?.value ?? node.name.value}: ${detail}`, {
        nodes: [node],
        extensions: { fields },
      }),
    );
  }
  return errors;
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
    const errors = checkArguments(args.schema, args.document, args.operationName, args.variableValues);
    if (errors.length > 0) setResultAndStopExecution({ errors });
  };
  return { onExecute: check, onSubscribe: check };
}

import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../../domain/errors.js';
import { ARGUMENT_RULES, brokenRules, RULES_IN_RESOLVER } from '../../schema/argument-rules.js';
import { analysisOf, type OperationAnalysis } from '../operation-analysis.js';
import { type OperationHook, refuse } from './operation-hooks.js';

/**
 * The refusals of an operation's arguments: variables that do not coerce,
 * and every selected field whose (coerced) arguments break the rules it
 * declares. A root mutation field checks its own input in its resolver
 * instead (src/schema/mutation-rules-plugin.ts), to report it as its
 * `ValidationError` result.
 */
export function brokenArguments(analysis: OperationAnalysis): GraphQLError[] {
  if (analysis.variableErrors) {
    return analysis.variableErrors.map((error) =>
      gatewayError('BAD_USER_INPUT', error.message, { nodes: error.nodes }),
    );
  }
  const errors: GraphQLError[] = [];
  for (const { node, field, args, root } of analysis.fields) {
    if (root && field.extensions?.[RULES_IN_RESOLVER]) continue;
    if (!field.extensions?.[ARGUMENT_RULES]) continue;
    const fields = brokenRules(field.extensions, args);
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
 * Checks an operation's arguments before it runs, on the values graphql-js
 * coerced, over HTTP, SSE and WebSocket alike: nothing is sent to Run:ai for
 * an operation with a problem, even one in a nested field such as
 * `NodePool.metrics`, whose parent would otherwise be fetched first. A
 * problem refuses the operation with BAD_USER_INPUT (HTTP 400), naming
 * every broken rule.
 */
export function useArgumentRules(): Plugin {
  const check = (hook: OperationHook) => {
    const analysis = analysisOf(hook.args);
    const errors = analysis ? brokenArguments(analysis) : [];
    if (errors.length > 0) refuse(hook, errors);
  };
  return { onExecute: check, onSubscribe: check };
}

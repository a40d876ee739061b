import { type DocumentNode, type GraphQLSchema, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { SERVED_TO_ROUTER } from '../schema/served-to-router.js';
import { gatewayError } from './errors.js';
import { selectedFields, walkOf } from './selected-fields.js';

/**
 * One rule for callers without credentials: an operation that needs Run:ai
 * is refused before it runs with UNAUTHENTICATED (HTTP 401, no `data`),
 * whatever its type. Introspection needs no credentials, so GraphiQL and
 * code generators can read the schema; nor does `_service` for a request
 * that carried the federation router's secret. In demo mode and with service
 * credentials every caller has a token, unless the one it sent is refused
 * (longer than any real token): then it is refused here too.
 */
export function useRequireCredentials(): Plugin<GatewayContext> {
  const check = ({
    args,
    setResultAndStopExecution,
  }: {
    args: {
      schema: GraphQLSchema;
      document: DocumentNode;
      operationName?: string | null | undefined;
      variableValues?: Record<string, unknown> | null | undefined;
      contextValue: GatewayContext;
    };
    setResultAndStopExecution: (result: { errors: Error[] }) => void;
  }) => {
    if (args.contextValue.token !== undefined) return;
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return;
    // Every root field outside introspection reaches Run:ai, but the router's own with its secret.
    const router = args.contextValue.asRouter;
    const walk = walkOf(args.schema, args.document, args.variableValues ?? {});
    for (const { field, root } of selectedFields(walk, operation)) {
      if (!root || (router && field.extensions[SERVED_TO_ROUTER] === true)) continue;
      return refuse(args.contextValue, setResultAndStopExecution);
    }
  };
  const refuse = (
    context: GatewayContext,
    setResultAndStopExecution: (result: { errors: Error[] }) => void,
  ) => {
    const problem = context.credentialsProblem;
    const message = problem
      ? `Credentials refused: ${problem}.`
      : 'No credentials: send `Authorization: Bearer <token>` with a Run:ai token.';
    setResultAndStopExecution({
      errors: [gatewayError('UNAUTHENTICATED', message)],
    });
  };
  return { onExecute: check, onSubscribe: check };
}

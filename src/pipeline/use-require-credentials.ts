import { type DocumentNode, type GraphQLSchema, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { gatewayError } from './errors.js';
import { selectedFields, walkOf } from './selected-fields.js';

/**
 * One rule for callers without credentials: an operation that needs Run:ai
 * is refused before it runs with UNAUTHENTICATED (HTTP 401, no `data`),
 * whatever its type. Introspection needs no credentials, so GraphiQL and
 * code generators can read the schema. In demo mode and with service
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
    // Every field outside introspection reaches Run:ai.
    const needsRunai =
      operation &&
      !selectedFields(walkOf(args.schema, args.document, args.variableValues ?? {}), operation).next().done;
    if (!needsRunai) return;
    const problem = args.contextValue.credentialsProblem;
    const message = problem
      ? `Credentials refused: ${problem}.`
      : 'No credentials: send `Authorization: Bearer <token>` with a Run:ai token.';
    setResultAndStopExecution({
      errors: [gatewayError('UNAUTHENTICATED', message)],
    });
  };
  return { onExecute: check, onSubscribe: check };
}

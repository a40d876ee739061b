import { type DocumentNode, getOperationAST, Kind } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';

/** Whether an operation selects anything but introspection (`__schema`, `__type`, `__typename`) at its root. */
function needsRunai(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation) return false;
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d]] : [])),
  );
  const seen = new Set<string>();
  const selects = (selections: typeof operation.selectionSet.selections): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return !selection.name.value.startsWith('__');
      if (selection.kind === Kind.INLINE_FRAGMENT) return selects(selection.selectionSet.selections);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      seen.add(fragment.name.value);
      return selects(fragment.selectionSet.selections);
    });
  return selects(operation.selectionSet.selections);
}

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
    args: { document: DocumentNode; operationName?: string | null | undefined; contextValue: GatewayContext };
    setResultAndStopExecution: (result: { errors: Error[] }) => void;
  }) => {
    if (args.contextValue.token !== undefined || !needsRunai(args.document, args.operationName)) return;
    const problem = args.contextValue.credentialsProblem;
    const message = problem
      ? `Credentials refused: ${problem}.`
      : 'No credentials: send `Authorization: Bearer <token>` with a Run:ai token.';
    setResultAndStopExecution({
      errors: [
        createGraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } }),
      ],
    });
  };
  return { onExecute: check, onSubscribe: check };
}

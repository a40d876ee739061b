import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import {
  apqNamespaceOf,
  type DocumentParams,
  persistedIdOf,
  type TrustedDocuments,
} from './trusted-documents.js';
import type { EdgeFacts } from './yoga.js';

/** The APQ namespace of a request, from what the edge read of its credentials. */
function namespaceOf(context: unknown): string | undefined {
  const facts = (context as { facts?: EdgeFacts }).facts;
  return facts ? apqNamespaceOf(facts.credentials) : undefined;
}

/**
 * Trusted documents and automatic persisted queries over HTTP and SSE, with
 * yoga's persisted-operations plugin: a request may name its document by
 * `documentId` or APQ's `extensions.persistedQuery.sha256Hash`, resolved
 * through {@link TrustedDocuments} in the caller's namespace. A document
 * sent with its hash is checked before it parses, and kept once its
 * operation runs with credentials (every transport's operations pass
 * `onExecute`). Over graphql-ws, websocket.ts resolves documents the same way.
 */
export function useTrustedDocuments(documents: TrustedDocuments): Plugin {
  const register = ({ args }: { args: { contextValue: unknown } }) => {
    const context = args.contextValue as Partial<GatewayContext> & { params?: DocumentParams };
    if (context.token === undefined || !context.params) return;
    documents.register(context.params, namespaceOf(context));
  };
  return {
    onPluginInit({ addPlugin }) {
      addPlugin({
        // Before the persisted-operations plugin reads them: a hash that is not the query's is refused.
        onParams({ params }) {
          documents.checkHash(params as DocumentParams);
        },
        onExecute: register,
        onSubscribe: register,
      });
      addPlugin(
        usePersistedOperations({
          allowArbitraryOperations: documents.allowsArbitrary,
          extractPersistedOperationId: (params) => persistedIdOf(params as DocumentParams) ?? null,
          getPersistedOperation: (id, _request, context) =>
            documents.lookup(id, namespaceOf(context)) ?? null,
          customErrors: {
            notFound: () => documents.notFoundError(),
            persistedQueryOnly: () => documents.persistedOnlyError(),
            keyNotFound: () =>
              createGraphQLError('The request has neither a query nor a persisted document id.', {
                extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
              }),
          },
        }) as Plugin,
      );
    },
  };
}

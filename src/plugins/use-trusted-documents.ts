import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { persistedIdOf, type TrustedDocuments } from '../trusted-documents.js';

/**
 * Trusted documents and automatic persisted queries over HTTP and SSE, with
 * yoga's persisted-operations plugin: a request may name its document by
 * `documentId` or APQ's `extensions.persistedQuery.sha256Hash`, resolved
 * through {@link TrustedDocuments}; a document sent with its hash is kept
 * for later (APQ). Over graphql-ws, websocket.ts applies the same rules.
 */
export function useTrustedDocuments(documents: TrustedDocuments): Plugin {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin({
        // Before the persisted-operations plugin reads them: an APQ registration is checked and kept.
        onParams({ params }) {
          documents.register(params as Parameters<TrustedDocuments['register']>[0]);
        },
      });
      addPlugin(
        usePersistedOperations({
          allowArbitraryOperations: documents.allowsArbitrary,
          extractPersistedOperationId: (params) =>
            persistedIdOf(params as Parameters<typeof persistedIdOf>[0]) ?? null,
          getPersistedOperation: (id) => documents.lookup(id) ?? null,
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

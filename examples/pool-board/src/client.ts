import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient as createWsClient } from 'graphql-ws';

/** Where the app finds the gateway and its token: as an app's build or sign-in would give them. */
export interface Settings {
  /** The gateway's base URL, e.g. http://127.0.0.1:4000. */
  gateway: string;
  /** The caller's Run:ai token (in demo mode, a demo token such as demo-admin). */
  token: string;
  /** Send only the documents' hashes (the gateway runs with PERSISTED_ONLY). */
  persistedOnly: boolean;
}

/** The hash graphql-codegen's client preset puts in each document it generates, and in its manifest. */
const hashOf = (document: unknown): string =>
  (document as { __meta__?: { hash?: string } }).__meta__?.hash ?? '';

/**
 * The urql client as a frontend team writes it: queries over urql's default
 * fetch (GET for queries within the URL limit), subscriptions over graphql-ws, the token in the
 * Authorization header and in connection_init, and the client preset's
 * hashes as persisted document ids.
 */
export function createPoolBoardClient(settings: Settings): Client {
  const ws = createWsClient({
    url: `${settings.gateway.replace(/^http/, 'ws')}/graphql`,
    connectionParams: { authorization: `Bearer ${settings.token}` },
  });
  return new Client({
    url: `${settings.gateway}/graphql`,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${settings.token}` } }),
    exchanges: [
      persistedExchange({
        enforcePersistedQueries: settings.persistedOnly,
        enableForMutation: true,
        enableForSubscriptions: true,
        // Only the documents' ids go out: the preset's hashes, which the gateway's manifest knows. Without
        // PERSISTED_ONLY, urql's own hash of the text it sends, so that a miss can register it (APQ).
        ...(settings.persistedOnly
          ? { generateHash: async (_query: string, document: unknown) => hashOf(document) }
          : {}),
      }),
      fetchExchange,
      subscriptionExchange({
        enableAllOperations: false,
        // graphql-ws needs a query string: a persisted operation sends an empty one beside its hash.
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
  });
}

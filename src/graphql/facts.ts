import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the edge (the HTTP routes, the WebSocket server) learns of a request
 * before any GraphQL, and hands the pipeline: the shapes the GraphQL layer
 * takes in, which the edge fills.
 */

/** What a request's `Authorization` (or a `connection_init` payload) says, checked at the edge. */
export type SentCredentials =
  | { kind: 'none' }
  /** A bearer token, and its scope (src/upstream/credential-scope.ts), hashed once at the edge for every layer. */
  | { kind: 'bearer'; token: string; scope: string }
  /** Something was sent, but not a bearer token Run:ai could take: refused with UNAUTHENTICATED. */
  | { kind: 'invalid'; problem: string };

/** What the edge read of a request (or of a WebSocket connection) before any GraphQL. */
export interface EdgeFacts {
  /** The credentials it sent (`Authorization`, or the `connection_init` payload). */
  credentials: SentCredentials;
  /** Its client address, charged while its token is not yet a caller of its own. */
  address: string;
  /** The request carried the federation router's secret (ROUTER_SECRET), on /subgraph. */
  router?: boolean | undefined;
}

/** The facts of one operation: the edge's, and what belongs to the operation alone. */
export interface RequestFacts extends EdgeFacts {
  /** Aborts its Run:ai calls: the client went away, or its operation completed. */
  signal?: AbortSignal | undefined;
  requestId?: string | undefined;
  /** SSE's `Last-Event-ID` header, as sent. */
  lastEventId?: string | undefined;
}

/** What yoga's server context holds for an HTTP request: Node's request and response, and what the edge read. */
export interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request's id (src/http/request-id.ts), also in its `x-request-id` response header. */
  requestId: string;
  /** What the edge read of the request before yoga saw it: its credentials and client address. */
  facts: EdgeFacts;
}

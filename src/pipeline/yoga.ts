import type { IncomingMessage, ServerResponse } from 'node:http';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from '../config.js';
import { type ContextDeps, createContext, type GatewayContext, type RequestFacts } from '../context.js';
import { graphiqlOptions } from '../edge/graphiql.js';
import { useEventIds } from '../edge/use-event-ids.js';
import { useHttpCaching } from '../edge/use-http-caching.js';
import { useHttpResults } from '../edge/use-http-results.js';
import type { Logger } from '../telemetry/logger.js';
import type { PrometheusMetrics } from '../telemetry/prometheus.js';
import { type Admission, useAdmission } from './admission.js';
import type { DocumentCaches } from './document-caches.js';
import { codeOf, isClientError, logLevelOf, maskError } from './errors.js';
import { useArgumentRules } from './use-argument-rules.js';
import { useCostLimit } from './use-cost-limit.js';
import { useCsrf } from './use-csrf.js';
import { useErrorContract } from './use-error-contract.js';
import { useIntrospectionOff } from './use-introspection-off.js';
import { useOperationLog } from './use-operation-log.js';
import { useQueryLimits } from './use-query-limits.js';
import { useRequireCredentials } from './use-require-credentials.js';

export interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request's id (src/edge/request-id.ts), also in its `x-request-id` response header. */
  requestId: string;
  /** What the edge read of the request before yoga saw it: its credentials and client address. */
  facts: EdgeFacts;
}

/** What the edge (HTTP routes, the WebSocket's connection) learnt of a request before any GraphQL. */
export type EdgeFacts = Pick<RequestFacts, 'credentials' | 'address' | 'router'>;

export type Gateway = YogaServerInstance<ServerContext, GatewayContext>;

/**
 * The graphql-yoga instance: schema, the one pipeline of plugins every
 * transport's operations run through (graphql-ws's too, by
 * `yoga.getEnveloped`), error masking, GraphiQL served from the package (no
 * CDN), and the per-request context factory.
 */
export function createGateway(
  schema: GraphQLSchema,
  config: Config,
  deps: ContextDeps,
  admission: Admission,
  metrics?: PrometheusMetrics,
  {
    demo = false,
    tracing,
    endpoint = '/graphql',
    documentCaches,
  }: {
    demo?: boolean;
    /** The parse caches, bounded in bytes (document-caches.ts), shared by every yoga of the process. */
    documentCaches?: DocumentCaches | undefined;
    /** Where it is served: `/graphql`, or `/subgraph` for the federation subgraph (no GraphiQL there). */
    endpoint?: '/graphql' | '/subgraph';
    /** The tracing plugin (src/pipeline/use-tracing.ts), given only when tracing is on. */
    tracing?: Plugin | undefined;
  } = {},
): Gateway {
  return createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: endpoint,
    landingPage: false,
    // No cross-origin grant unless CORS_ORIGINS lists the origin; credentials only for those.
    cors: config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: true } : false,
    // With PERSISTED_ONLY, GraphiQL could run nothing (a typed document is a document sent in full): not served.
    graphiql:
      config.graphiql && !config.persistedOnly && endpoint === '/graphql' ? graphiqlOptions({ demo }) : false,
    // The renderer inlines GraphiQL's assets (9 MB of script, ~30 MB of heap): load it on first use only.
    renderGraphiQL: async (options) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    maskedErrors: { maskError },
    // yoga's own caches count documents, not bytes: callers' documents could hold hundreds of MB.
    ...(documentCaches
      ? {
          parserAndValidationCache: {
            documentCache: documentCaches.documentCache,
            errorCache: documentCaches.errorCache,
          },
        }
      : {}),
    // server.ts caps bodies before yoga sees them (Content-Length and chunked): yoga's own cap
    // would pipe every body through a TransformStream again.
    maxRequestBodySize: false,
    plugins: [
      // First, so its spans wrap every other plugin's work in each phase.
      ...(tracing ? [tracing] : []),
      // HTTP only: the contract's statuses, and the answers yoga would give without a body.
      useHttpResults(),
      // Change feed cursors: in each event's extensions, and as SSE's event ids.
      useEventIds(),
      // A request on ambient credentials must prove it is not a cross-site form or image.
      useCsrf(),
      // The rate limit and the document a request runs, before anything parses it.
      useAdmission(admission),
      ...(config.introspection ? [] : [useIntrospectionOff()]),
      // @defer and @stream: a dashboard gets its pool rows after the list call, the metrics as they come.
      useDeferStream(),
      useQueryLimits(config),
      // Before the contract masks them: it logs Run:ai's own words on its failures.
      useOperationLog(deps.log, metrics),
      // Before the checks below: their refusals are shaped too.
      useErrorContract(),
      useRequireCredentials(),
      useArgumentRules(),
      useCostLimit(config),
      // Last: a cached answer passes every check above, as any other does. HTTP caching at the edge.
      ...(deps.cache?.plugins() ?? []),
      useHttpCaching(),
    ],
    // The edge read the credentials: HTTP's Authorization header (routes), or the connection_init payload
    // of a WebSocket operation (websocket.ts), which also gives the operation's signal.
    context: (initial) => {
      const { request, requestId, facts, signal } = initial as {
        request?: Request;
        requestId?: string;
        facts: EdgeFacts;
        signal?: AbortSignal;
      };
      const lastEventId = request?.headers.get('last-event-id') ?? undefined;
      return createContext(deps, { ...facts, signal: signal ?? request?.signal, requestId, lastEventId });
    },
    logging: {
      debug: (...args) => deps.log.debug({ args }, 'yoga'),
      info: (...args) => deps.log.info({ args }, 'yoga'),
      warn: (...args) => deps.log.warn({ args }, 'yoga'),
      error: (...args) => logYogaError(deps.log, args),
    },
  });
}

/**
 * Yoga logs each error it masks or maps. The operation log already names
 * every error's code, so the caller's mistakes go to debug here; Run:ai's
 * failures are warnings, and the gateway's own failures errors, with cause.
 */
function logYogaError(log: Logger, args: unknown[]): void {
  const [error] = args;
  const code = codeOf(error);
  if (isClientError(code)) log.debug({ code }, 'yoga: client error');
  else log[logLevelOf(code)]({ code, err: error }, 'yoga: operation error');
}

import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { isClientError } from '../domain/errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { PrometheusMetrics } from '../telemetry/prometheus.js';
import type { Admission } from './admission.js';
import { type ContextDeps, createContext, type GatewayContext } from './context.js';
import type { DocumentCaches } from './document-caches.js';
import { codeOf, logLevelOf, maskError } from './errors.js';
import type { EdgeFacts, ServerContext } from './facts.js';
import { graphiqlOptions } from './plugins/graphiql.js';
import type { ResponseCache } from './plugins/response-cache/response-cache.js';
import { useAdmission } from './plugins/use-admission.js';
import { useArgumentRules } from './plugins/use-argument-rules.js';
import { type CostLimits, useCostLimit } from './plugins/use-cost-limit.js';
import { useCsrf } from './plugins/use-csrf.js';
import { useErrorContract } from './plugins/use-error-contract.js';
import { useEventIds } from './plugins/use-event-ids.js';
import { useHttpCaching } from './plugins/use-http-caching.js';
import { useHttpResults } from './plugins/use-http-results.js';
import { useIntrospectionOff } from './plugins/use-introspection-off.js';
import { useMetricsCsv } from './plugins/use-metrics-csv.js';
import { useOperationLog } from './plugins/use-operation-log.js';
import { type QueryLimits, useQueryLimits } from './plugins/use-query-limits.js';
import { useRequireCredentials } from './plugins/use-require-credentials.js';

export type Gateway = YogaServerInstance<ServerContext, GatewayContext>;

/** What a gateway (one yoga instance: `/graphql`, or the federation subgraph) is built from. */
export interface GatewayOptions {
  schema: GraphQLSchema;
  /** Where it is served: `/graphql`, or `/subgraph` for the federation subgraph (no GraphiQL, no CSV there). */
  endpoint: '/graphql' | '/subgraph';
  /** What each operation's context is made of (src/graphql/context.ts). */
  context: ContextDeps;
  /** The checks before parsing: the rate limit, trusted documents. */
  admission: Admission;
  limits: QueryLimits & CostLimits;
  /** Answer introspection queries (INTROSPECTION). */
  introspection: boolean;
  /** GraphiQL on `GET /graphql` for browsers, and whether it opens on the demo's dashboard. */
  graphiql: false | { demo: boolean };
  /** Browser origins allowed cross-site (CORS_ORIGINS). */
  corsOrigins: readonly string[];
  metrics?: PrometheusMetrics | undefined;
  /** The tracing plugin (src/graphql/plugins/use-tracing.ts), given only when tracing is on. */
  tracing?: Plugin | undefined;
  /** The response cache, when it is on. */
  responseCache?: ResponseCache | undefined;
  /** The parse caches, bounded in bytes (document-caches.ts), shared by every yoga of the process. */
  documentCaches?: DocumentCaches | undefined;
}

/**
 * The graphql-yoga instance: schema, the one pipeline of plugins every
 * transport's operations run through (graphql-ws's too, by
 * `yoga.getEnveloped`), error masking, GraphiQL served from the package (no
 * CDN), the CSV export as a route of its own, and the per-request context
 * factory.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { schema, endpoint, admission, limits, documentCaches, responseCache } = options;
  const deps = options.context;
  const csv =
    endpoint === '/graphql' ? [useMetricsCsv({ admission, enveloped: () => yoga.getEnveloped })] : [];
  const yoga: Gateway = createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: endpoint,
    landingPage: false,
    // No cross-origin grant unless CORS_ORIGINS lists the origin; credentials only for those.
    cors: options.corsOrigins.length > 0 ? { origin: [...options.corsOrigins], credentials: true } : false,
    graphiql: options.graphiql && endpoint === '/graphql' ? graphiqlOptions(options.graphiql) : false,
    // The renderer inlines GraphiQL's assets (9 MB of script, ~30 MB of heap): load it on first use only.
    renderGraphiQL: async (graphiql) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiql),
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
    // The HTTP edge caps bodies before yoga sees them (Content-Length and chunked): yoga's own cap
    // would pipe every body through a TransformStream again.
    maxRequestBodySize: false,
    plugins: [
      // First, so its spans wrap every other plugin's work in each phase.
      ...(options.tracing ? [options.tracing] : []),
      // The CSV export: a route of its own, whose operation runs through all that follows.
      ...csv,
      // HTTP only: the contract's statuses, and the answers yoga would give without a body.
      useHttpResults(),
      // Change feed cursors: in each event's extensions, and as SSE's event ids.
      useEventIds(),
      // A request on ambient credentials must prove it is not a cross-site form or image.
      useCsrf(),
      // The rate limit and the document a request runs, before anything parses it.
      useAdmission(admission),
      ...(options.introspection ? [] : [useIntrospectionOff()]),
      // @defer and @stream: a dashboard gets its pool rows after the list call, the metrics as they come.
      useDeferStream(),
      useQueryLimits(limits),
      // Before the contract masks them: it logs Run:ai's own words on its failures.
      useOperationLog(deps.log, options.metrics),
      // Before the checks below: their refusals are shaped too.
      useErrorContract(),
      useRequireCredentials(),
      useArgumentRules(),
      useCostLimit(limits),
      // Last: a cached answer passes every check above, as any other does. HTTP caching at the edge.
      ...(responseCache?.plugins() ?? []),
      useHttpCaching(),
    ],
    // The edge read the credentials: HTTP's Authorization header (routes), or the connection_init payload
    // of a WebSocket operation (websocket/), which also gives the operation's signal.
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
  return yoga;
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

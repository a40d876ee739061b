import type { IncomingMessage, ServerResponse } from 'node:http';
import { gatewayError } from '../domain/errors.js';
import type { EdgeFacts } from '../graphql/facts.js';
import type { Gateway } from '../graphql/gateway.js';
import { METRICS_CSV_PATH } from '../graphql/plugins/use-metrics-csv.js';
import type { Logger } from '../telemetry/logger.js';
import type { PrometheusMetrics } from '../telemetry/prometheus.js';
import { tooLarge } from './body-limits.js';
import { clientAddressOf, type TrustProxy } from './callers.js';
import { carriesRouterSecret, readCredentials } from './credentials.js';
import type { Draining } from './draining.js';
import { hostAllowed, hostRefusal } from './host-check.js';
import { OriginRefusals } from './origin-refusals.js';
import type { Readiness } from './readiness.js';
import { sendErrors, sendText } from './replies.js';
import { requestIdOf } from './request-id.js';

/** What the routes need from the running gateway. */
export interface RouteOptions {
  /** `/graphql` (and the CSV export, a route of its yoga). */
  yoga: Gateway;
  /** The same pipeline over the federation subgraph schema, on `/subgraph`. */
  subgraph: Gateway;
  readiness: Readiness;
  metrics: PrometheusMetrics;
  log: Logger;
  /** Responses in flight and whether the gateway is draining. */
  draining: Draining;
  /** The largest request body read (maxBodyBytes). */
  maxBodyBytes: number;
  /** Whose `X-Forwarded-For` to believe (TRUSTED_PROXIES). */
  trustProxy: TrustProxy;
  /** When the gateway acts on ambient credentials: the hosts answered besides loopback names (ALLOWED_HOSTS). */
  allowedHosts?: readonly string[] | undefined;
  /** Browser origins allowed cross-site, for the refusal logs' hint (CORS_ORIGINS). */
  corsOrigins: readonly string[];
  /** The federation router's secret (ROUTER_SECRET), for `/subgraph`. */
  routerSecret?: string | undefined;
}

/**
 * The gateway's HTTP routes: `/graphql` (yoga, the CSV export among its
 * routes), `/subgraph`, `/healthz`, `/readyz` and `/metrics`. Every GraphQL
 * and export response carries its request id in `x-request-id`.
 */
export function routes(options: RouteOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { readiness, metrics, log } = options;
  const origins = new OriginRefusals(log, options.corsOrigins);
  return (req, res) => {
    // Every route's work is awaited here: whatever it throws answers this request, never ends the process.
    handled(log, res, async () => {
      // The path as yoga and every WHATWG URL reader see it: dot segments resolved, no fragment.
      const path = pathOf(req.url);
      if (path === '/healthz') return sendText(res, 200, 'ok\n');
      if (path === '/readyz') {
        const ok = await readiness.isReady();
        return sendText(res, ok ? 200 : 503, ok ? 'ready\n' : `not ready: ${readiness.reason}\n`);
      }
      if (path === '/metrics') {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
        return;
      }
      // Below here the gateway may act on ambient credentials: only hosts that name it are answered.
      if (options.allowedHosts && !hostAllowed(req.headers.host, options.allowedHosts)) {
        return sendErrors(res, [gatewayError('FORBIDDEN', hostRefusal(req.headers.host))]);
      }
      const subgraph = path === '/subgraph';
      if (path !== '/graphql' && !subgraph && !METRICS_CSV_PATH.test(path)) {
        return sendErrors(res, [
          gatewayError(
            'NOT_FOUND',
            'Nothing is served here: GraphQL is at /graphql (and the federation subgraph at /subgraph).',
          ),
        ]);
      }
      if (Number(req.headers['content-length'] ?? 0) > options.maxBodyBytes) {
        return tooLarge(res, options.maxBodyBytes);
      }
      const requestId = requestIdOf(req.headers['x-request-id']);
      res.setHeader('x-request-id', requestId);
      options.draining.track(res);
      origins.observeHttp(req);
      const facts = factsOf(options, req, subgraph);
      await (subgraph ? options.subgraph : options.yoga).handle(req, res, { requestId, facts });
    });
  };
}

/**
 * Runs one route's work; an error it did not answer itself becomes a 500
 * in the error contract (or cuts a response already under way), and is
 * logged with its cause.
 */
function handled(log: Logger, res: ServerResponse, work: () => Promise<void> | void): void {
  const fail = (error: unknown) => {
    log.error({ err: error }, 'a route failed unexpectedly');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendErrors(res, [gatewayError('INTERNAL_SERVER_ERROR', 'Unexpected error.')]);
  };
  try {
    const pending = work();
    if (pending) pending.catch(fail);
  } catch (error) {
    fail(error);
  }
}

/**
 * What the edge reads of a request before anything else: its credentials,
 * its client address, and (for the subgraph only) whether it carries the
 * router's secret.
 */
function factsOf(options: RouteOptions, req: IncomingMessage, subgraph: boolean): EdgeFacts {
  return {
    credentials: readCredentials(req.headers.authorization),
    address: clientAddressOf(req, options.trustProxy),
    router: subgraph && carriesRouterSecret(req.headers['x-router-secret'], options.routerSecret),
  };
}

/** A request's path, read as WHATWG URLs are; `/` when it cannot be read. */
function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://gateway').pathname;
  } catch {
    return '/';
  }
}

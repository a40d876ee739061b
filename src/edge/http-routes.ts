import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.js';
import { type ContextDeps, createContext } from '../context.js';
import type { Admission } from '../pipeline/admission.js';
import { type ErrorCode, errorJson, gatewayError, statusOf, toContract } from '../pipeline/errors.js';
import type { EdgeFacts, Gateway } from '../pipeline/yoga.js';
import type { Logger } from '../telemetry/logger.js';
import type { PrometheusMetrics } from '../telemetry/prometheus.js';
import { clientAddressOf, type TrustProxy } from './callers.js';
import { carriesRouterSecret, readCredentials } from './credentials.js';
import { hostAllowed, hostRefusal } from './host-check.js';
import { OriginRefusals } from './origin-refusals.js';
import { METRICS_CSV_PATH, serveMetricsCsv } from './pool-metrics-csv.js';
import type { Readiness } from './readiness.js';
import { sendErrors, sendText } from './replies.js';
import { requestIdOf } from './request-id.js';

/** A body over the cap: the connection closes, so the rest of the body is not read. */
function tooLarge(res: ServerResponse, maxBytes: number): void {
  sendErrors(res, [gatewayError('PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`)], {
    connection: 'close',
  });
}

/**
 * Caps request bodies sent without Content-Length (chunked): the socket is
 * answered 413 and closed as soon as the running total passes the cap.
 */
export function limitChunkedBodies(server: Server, maxBytes: number): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] === undefined) return;
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes && !res.headersSent) {
        tooLarge(res, maxBytes);
        req.destroy();
      }
    });
  });
}

/**
 * Answers a request Node's HTTP parser cannot read (a malformed request line
 * or header, headers too large, too slow) in the error contract, as Node
 * would answer it, but with a coded JSON body; then closes the connection.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const [code, message]: [ErrorCode, string] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? ['REQUEST_HEADERS_TOO_LARGE', 'The request headers are too large.']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['REQUEST_TIMEOUT', 'The request did not arrive in time.']
          : ['BAD_REQUEST', 'The request is not valid HTTP.'];
    const refusal = gatewayError(code, message);
    const status = statusOf(refusal);
    const body = JSON.stringify({ errors: [errorJson(refusal)] });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}

/** What the routes need from the running gateway. */
export interface RouteDeps {
  config: Config;
  yoga: Gateway;
  /** The same pipeline over the federation subgraph schema, on `/subgraph`. */
  subgraph: Gateway;
  readiness: Readiness;
  metrics: PrometheusMetrics;
  contextDeps: ContextDeps;
  /** The checks every operation passes first: the rate limit (which the CSV export spends too). */
  admission: Admission;
  /** Counts a response as in flight until it closes (graceful shutdown waits for it). */
  track: (res: ServerResponse) => void;
  /** Whether the gateway is shutting down: responses then close their connection. */
  draining: () => boolean;
  /** Whose `X-Forwarded-For` to believe (TRUSTED_PROXIES). */
  trustProxy: TrustProxy;
  /** When the gateway acts on ambient credentials: the hosts answered besides loopback names (ALLOWED_HOSTS). */
  allowedHosts?: readonly string[] | undefined;
}

/**
 * The gateway's HTTP routes: `/graphql` (yoga), `/healthz`, `/readyz`,
 * `/metrics` and the CSV export of metrics. Every GraphQL and export
 * response carries its request id in `x-request-id`.
 */
export function routes(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, yoga, readiness, metrics } = deps;
  const log = deps.contextDeps.log;
  const origins = new OriginRefusals(log, config.corsOrigins);
  return (req, res) => {
    // Every route's work is awaited here: whatever it throws answers this request, never ends the process.
    handled(log, res, async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
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
      if (deps.allowedHosts && !hostAllowed(req.headers.host, deps.allowedHosts)) {
        return sendErrors(res, [gatewayError('FORBIDDEN', hostRefusal(req.headers.host))]);
      }
      const csv = METRICS_CSV_PATH.exec(path);
      if (csv) return exportCsv(deps, req, res, csv[1] as string);
      if (path !== '/graphql' && path !== '/subgraph') {
        return sendErrors(res, [
          gatewayError(
            'NOT_FOUND',
            'Nothing is served here: GraphQL is at /graphql (and the federation subgraph at /subgraph).',
          ),
        ]);
      }
      if (Number(req.headers['content-length'] ?? 0) > config.maxBodyBytes) {
        return tooLarge(res, config.maxBodyBytes);
      }
      if (deps.draining()) res.setHeader('connection', 'close');
      const requestId = requestIdOf(req.headers['x-request-id']);
      res.setHeader('x-request-id', requestId);
      deps.track(res);
      origins.observeHttp(req);
      const subgraph = path === '/subgraph';
      const facts = factsOf(deps, req);
      // Only the subgraph answers to the router's secret (its SDL, without a Run:ai token).
      if (subgraph) facts.router = carriesRouterSecret(req.headers['x-router-secret'], config.routerSecret);
      await (subgraph ? deps.subgraph : yoga).handle(req, res, { requestId, facts });
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

/** The CSV export: it spends the caller's operation budget, as a GraphQL operation does (it costs Run:ai two calls). */
async function exportCsv(deps: RouteDeps, req: IncomingMessage, res: ServerResponse, rawId: string) {
  const requestId = requestIdOf(req.headers['x-request-id']);
  res.setHeader('x-request-id', requestId);
  if (deps.draining()) res.setHeader('connection', 'close');
  deps.track(res);
  const client = new AbortController();
  res.once('close', () => client.abort());
  const facts = factsOf(deps, req);
  try {
    await deps.admission.charge(facts);
  } catch (error) {
    return sendErrors(res, toContract([error], requestId));
  }
  await serveMetricsCsv(req, res, rawId, () =>
    createContext(deps.contextDeps, { ...facts, signal: client.signal, requestId }),
  );
}

/** What the edge reads of a request before anything else: its credentials and its client address. */
function factsOf(deps: RouteDeps, req: IncomingMessage): EdgeFacts {
  return {
    credentials: readCredentials(req.headers.authorization),
    address: clientAddressOf(req, deps.trustProxy),
  };
}

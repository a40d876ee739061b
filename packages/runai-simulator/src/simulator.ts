import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { defaultMessageFor, HttpError, MESSAGES } from './errors.js';
import { FaultRegistry, type RequestIdentity } from './faults.js';
import { HANDLERS } from './handlers.js';
import {
  bearerToken,
  type ParsedBody,
  parseJsonBody,
  readBody,
  sendJson,
  sendText,
  sleepUnlessClosed,
} from './http-io.js';
import { type RouteResult, sharedOpenApiRegistry } from './openapi.js';
import { RequestLog } from './request-log.js';
import { buildSeed } from './seed.js';
import { PoolStore } from './store.js';
import { DEFAULT_SERVICE_CLIENTS, DEFAULT_TOKENS, type Principal, TokenTable } from './tokens.js';
import type { Simulator, SimulatorOptions } from './types.js';

/** Path of the client-credentials token endpoint (not part of the node-pools spec). */
export const TOKEN_PATH = '/api/v1/token';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DEFAULT_WAIT_MS = 5_000;
/** Looks like the start of a list answer, then stops: valid UTF-8, invalid JSON. */
const GARBAGE_BODY = '{"nodepools":[{"id":"1","name":"default",<html>upstream proxy error';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a key of the token request case-insensitively (sources disagree on `clientId` vs `clientID`). */
function field(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
}

/**
 * Creates a Run:ai node-pools API simulator. Nothing listens until `start()`;
 * every piece of state (pools, tokens, faults, request log) lives in the
 * returned instance.
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const now = options.now ?? Date.now;
  const registry = sharedOpenApiRegistry();
  const delays = {
    create: options.delays?.create ?? 3000,
    update: options.delays?.update ?? 2000,
    delete: options.delays?.delete ?? 2000,
  };
  // A fresh store from the seed: pools are mutable records, so reset() rebuilds rather than restores.
  const seededStore = () => new PoolStore(buildSeed(options.pools ?? 0), now, delays);
  let store = seededStore();
  const tokens = new TokenTable(
    options.tokens ?? DEFAULT_TOKENS,
    options.serviceClients ?? DEFAULT_SERVICE_CLIENTS,
    options.tokenTtlSeconds ?? 3600,
    now,
  );
  const faults = new FaultRegistry();
  const log = new RequestLog(options.requestLogLimit);
  const partialMetricTypes = new Set(options.partialMetricTypes ?? []);
  const sockets = new Set<Socket>();
  const sleepers = new Set<() => void>();
  let server: Server | null = null;
  let baseUrl: string | null = null;

  function issueToken(res: ServerResponse, parsed: ParsedBody): void {
    if (parsed.error || !isPlainObject(parsed.value)) {
      throw new HttpError(400, 'Invalid request body: a JSON object is required');
    }
    const body = parsed.value;
    if (field(body, 'grantType') !== 'client_credentials') {
      throw new HttpError(400, 'Invalid request body: grantType must be client_credentials');
    }
    const clientId = field(body, 'clientId');
    const clientSecret = field(body, 'clientSecret');
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
      throw new HttpError(400, 'Invalid request body: clientId and clientSecret are required');
    }
    const issued = tokens.issue(clientId, clientSecret);
    if (!issued) throw new HttpError(401, 'Invalid client credentials.');
    sendJson(res, 200, issued);
  }

  function answer(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    query: URLSearchParams,
    route: RouteResult,
    parsed: ParsedBody,
    principal: Principal | undefined,
  ): void {
    if (route.kind === 'not-found')
      throw new HttpError(404, `No route for ${method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
    if (route.kind === 'method-not-allowed') {
      sendJson(
        res,
        405,
        { code: 405, message: `Method ${method} not allowed` },
        { allow: route.allow.join(', ') },
      );
      return;
    }
    // Real APIs authenticate first, then validate, then authorise.
    if (!principal) throw new HttpError(401, MESSAGES.unauthorized);
    const { operation } = route;
    const handler = HANDLERS[operation.operationId];
    if (!handler) throw new HttpError(500, `Operation ${operation.operationId} is not simulated`);
    let body: Record<string, unknown> = {};
    if (operation.body) {
      if (parsed.error) throw new HttpError(400, 'Invalid request body: not valid JSON');
      if (parsed.value !== undefined && !isPlainObject(parsed.value)) {
        throw new HttpError(400, 'Invalid request body: must be a JSON object');
      }
    }
    const validated = registry.validate(
      operation,
      route.pathParams,
      query,
      operation.body ? parsed.value : undefined,
    );
    if (isPlainObject(validated.body)) body = validated.body;
    const params = { ...validated.params };
    for (const parameter of operation.parameters) {
      if (params[parameter.name] === undefined) {
        const fallback = registry.parameterDefault(operation, parameter.name);
        if (fallback !== undefined) params[parameter.name] = fallback;
      }
    }
    handler.check?.(params, body);
    if (principal.role !== 'admin' && WRITE_METHODS.has(method)) throw new HttpError(403, MESSAGES.forbidden);
    const reply = handler.run({
      store,
      principal,
      params,
      body,
      accept: req.headers.accept,
      partialMetricTypes,
    });
    if (reply.text !== undefined) sendText(res, reply.status, reply.text, reply.contentType ?? 'text/plain');
    else if (reply.json !== undefined) sendJson(res, reply.status, reply.json);
    else {
      res.writeHead(reply.status);
      res.end();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    if (path.startsWith(CONTROL_PREFIX)) return handleControl(req, res, path, faults, log);

    const raw = await readBody(req);
    const parsed: ParsedBody = raw === null ? { value: undefined, error: true } : parseJsonBody(raw);
    const isTokenPath = path === TOKEN_PATH;
    const route: RouteResult = isTokenPath ? { kind: 'not-found' } : registry.route(method, path);
    const operation = isTokenPath
      ? 'issue_token'
      : route.kind === 'found'
        ? route.operation.operationId
        : 'unknown';
    const token = bearerToken(req);
    const principal = token === undefined ? undefined : tokens.lookup(token);
    const record = log.begin({
      operation,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      rawQuery: url.search.slice(1),
      body: parsed.value,
      token,
      tenantId: principal?.tenantId,
      accept: req.headers.accept,
      traceparent: typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined,
    });
    let dropped = false;
    res.on('finish', () => log.finish(record, res.statusCode, false));
    res.on('close', () => log.finish(record, 0, !dropped));
    if (options.logRequests) {
      res.on('close', () => {
        const status = record.aborted ? 'aborted' : record.status === 0 ? 'dropped' : String(record.status);
        process.stderr.write(
          `${method} ${req.url ?? path} ${operation} → ${status} ${Date.now() - started}ms\n`,
        );
      });
    }

    const identity: RequestIdentity = { method, operation, path, token };
    const latency = faults.latencyFor(identity);
    if (latency > 0) await sleepUnlessClosed(latency, res, sleepers);
    // The client may have gone away (or the simulator stopped) while we waited: do nothing then.
    if (res.destroyed || res.writableEnded) return;

    const fault = faults.take(identity);
    if (fault?.kind === 'drop') {
      dropped = true;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'garbage') return sendText(res, 200, GARBAGE_BODY, 'application/json');
    if (fault?.kind === 'fail') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      if (fault.body !== undefined)
        return sendText(res, fault.status, fault.body, 'application/json', headers);
      return sendJson(
        res,
        fault.status,
        { code: fault.status, message: defaultMessageFor(fault.status) },
        headers,
      );
    }

    if (raw === null) throw new HttpError(413, 'Request body too large');
    if (isTokenPath) {
      if (method !== 'POST') {
        return sendJson(res, 405, { code: 405, message: `Method ${method} not allowed` }, { allow: 'POST' });
      }
      return issueToken(res, parsed);
    }
    answer(req, res, method, url.searchParams, route, parsed, principal);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(res, error.status, error.toBody());
      process.stderr.write(`simulator: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      sendJson(res, 500, { code: 500, message: 'Internal server error.' });
    });
  }

  const simulator: Simulator = {
    get url(): string {
      if (baseUrl === null) throw new Error('Simulator is not started: call start() first');
      return baseUrl;
    },
    async start(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('Simulator is already started');
      const created = createServer({ keepAlive: true }, onRequest);
      created.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, host, () => {
          created.off('error', reject);
          resolve();
        });
      });
      server = created;
      const address = created.address() as AddressInfo;
      const hostPart =
        address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
      baseUrl = `http://${hostPart}:${address.port}`;
      return baseUrl;
    },
    async stop() {
      const running = server;
      if (!running) return;
      server = null;
      baseUrl = null;
      const closed = new Promise<void>((resolve) => running.close(() => resolve()));
      // close() alone waits for idle keep-alive sockets; end them and any latency sleeps now.
      running.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      for (const cancel of [...sleepers]) cancel();
      log.close();
      await closed;
    },
    get requests() {
      return log.all;
    },
    clearRequests() {
      log.clear();
    },
    countRequests(match) {
      return log.count(match);
    },
    waitForRequest(match, timeoutMs = DEFAULT_WAIT_MS) {
      return log.waitFor(match, timeoutMs);
    },
    faults,
    setToken(token, entry) {
      tokens.set(token, entry);
    },
    reset() {
      store = seededStore();
      log.clear();
      faults.reset();
    },
    setPhase(id, phase, message = '') {
      const pool = /^\d+$/.test(id) ? store.getAny(Number(id)) : undefined;
      if (!pool) throw new Error(`setPhase: no node pool with id ${id}`);
      store.setPhase(pool, phase, message);
    },
  };
  return simulator;
}

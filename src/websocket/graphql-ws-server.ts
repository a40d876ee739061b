import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql';
import { handleProtocols } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { gatewayError } from '../domain/errors.js';
import type { Admission } from '../graphql/admission.js';
import { toContract } from '../graphql/errors.js';
import type { EdgeFacts } from '../graphql/facts.js';
import type { Gateway } from '../graphql/gateway.js';
import type { DocumentParams } from '../graphql/trusted-documents.js';
import { clientAddressOf, type TrustProxy } from '../http/callers.js';
import { connectionCredentials } from '../http/credentials.js';
import { hostAllowed } from '../http/host-check.js';
import { OriginRefusals } from '../http/origin-refusals.js';
import type { Logger } from '../telemetry/logger.js';
import { serveGraphqlWs, type WsExtra } from './ws-transport.js';

/** The WebSocket server's defaults (tuning knobs: docs/configuration.md). */
export const WS_DEFAULTS = {
  connectionInitWaitTimeoutMs: 10_000,
  maxSubscriptionsPerConnection: 100,
} as const;

export interface WebSocketOptions {
  /** The paths served, each by its yoga: `/graphql`, and `/subgraph` for a supergraph router's subscriptions. */
  paths: ReadonlyMap<string, Gateway>;
  /** Largest message a client may send (maxBodyBytes): a larger one closes the connection (1009). */
  maxPayloadBytes: number;
  /** Whose `X-Forwarded-For` to believe (TRUSTED_PROXIES), for the connection's client address. */
  trustProxy: TrustProxy;
  /** When the gateway acts on ambient credentials: the hosts answered besides loopback names (ALLOWED_HOSTS). */
  allowedHosts?: readonly string[] | undefined;
  /** Milliseconds a client has to send `connection_init`. */
  connectionInitWaitTimeoutMs: number;
  /** Subscriptions one connection may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** Demo mode: connections without credentials are accepted (they act as the demo token). */
  allowAnonymous: boolean;
  /** Browser origins allowed besides the gateway's own (CORS_ORIGINS). */
  allowedOrigins: readonly string[];
  log: Logger;
}

/**
 * Whether a WebSocket upgrade may proceed. Browsers always send `Origin` and
 * do not apply CORS to WebSockets, so the check is the server's: the
 * gateway's own origin or a listed one. Clients that send none (servers,
 * scripts) are not browsers acting for a visitor, and may connect.
 */
export function originAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** WebSocket close code for a server going away (RFC 6455). */
const GOING_AWAY = 1001;

/** The `connection_init` payload is read for its credentials; a larger one is refused (4400). */
export const MAX_CONNECTION_PARAMS_BYTES = 16 * 1024;

/** One running operation: its request id, and the signal that aborts its Run:ai calls. */
interface Operation {
  requestId: string;
  controller: AbortController;
}

/** What a connection holds while it is open: its caller, and its running operations. */
interface Connection {
  facts: EdgeFacts;
  operations: Map<string, Operation>;
}

/** The enveloped executors an operation runs with, carried to graphql-ws's `execute`/`subscribe` as yoga's recipe does. */
interface Executors {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * Runs an operation with its enveloped executor. A hook that throws becomes
 * the operation's coded error, never a failure of the whole connection.
 */
async function run(
  args: ExecutionArgs,
  pick: keyof Executors,
): Promise<ExecutionResult | AsyncGenerator<ExecutionResult>> {
  try {
    return (await (args.rootValue as Executors)[pick](args)) as
      | ExecutionResult
      | AsyncGenerator<ExecutionResult>;
  } catch (error) {
    return { errors: toContract([error], (args.contextValue as { requestId?: string }).requestId) };
  }
}

/**
 * Serves GraphQL over WebSocket (graphql-ws's `graphql-transport-ws`
 * protocol) on the gateway's HTTP server. This file holds only what belongs
 * to WebSocket: the upgrade with its path, Host and Origin checks and its
 * message size cap; `connection_init`, whose payload carries the
 * credentials (none closes the connection with 4403); the subscriptions one
 * connection may hold; and each operation's abort when it completes or its
 * socket closes. Everything else is the pipeline every transport shares:
 * the admission (rate limit, trusted documents), then yoga's enveloped
 * parse, validate, context and executors, which graphql-ws runs (yoga's
 * graphql-ws recipe).
 */
export function attachWebSocket(server: Server, admission: Admission, options: WebSocketOptions) {
  const pathOf = (req: IncomingMessage) => (req.url ?? '').split('?')[0] ?? '';
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, handleProtocols });
  const origins = new OriginRefusals(options.log, options.allowedOrigins);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!options.paths.has(pathOf(req))) {
      socket.destroy();
      return;
    }
    const hostOk = !options.allowedHosts || hostAllowed(req.headers.host, options.allowedHosts);
    const originOk = originAllowed(req, options.allowedOrigins);
    if (!originOk) origins.refusedWebSocket(String(req.headers.origin));
    if (!hostOk || !originOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);
  const connections = new WeakMap<object, Connection>();
  /** Ends an operation: its slot is free, its Run:ai calls aborted. */
  const finish = (extra: object, id: string) => {
    const operations = connections.get(extra)?.operations;
    operations?.get(id)?.controller.abort();
    operations?.delete(id);
  };

  const transport = serveGraphqlWs(
    wss,
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs,
      // Reads the credentials once; false closes the socket with 4403 Forbidden.
      onConnect: (ctx) => {
        const extra = ctx.extra as WsExtra;
        const params = ctx.connectionParams;
        if (params && JSON.stringify(params).length > MAX_CONNECTION_PARAMS_BYTES) {
          extra.socket.close(4400, 'connection_init payload too large');
          return false;
        }
        const facts: EdgeFacts = {
          credentials: connectionCredentials(params),
          address: clientAddressOf(extra.request, options.trustProxy),
        };
        connections.set(ctx.extra, { facts, operations: new Map() });
        const { kind } = facts.credentials;
        return kind === 'bearer' || (kind === 'none' && options.allowAnonymous);
      },
      onClose: (ctx) => {
        const operations = connections.get(ctx.extra)?.operations;
        for (const { controller } of operations?.values() ?? []) controller.abort();
        operations?.clear();
      },
      onSubscribe: async (ctx, id, payload) => {
        const connection = connections.get(ctx.extra);
        if (!connection) return [gatewayError('BAD_REQUEST', 'The connection is not initialised.')];
        const { facts, operations } = connection;
        if (operations.size >= options.maxSubscriptionsPerConnection) {
          return [
            gatewayError(
              'TOO_MANY_SUBSCRIPTIONS',
              `This connection holds ${operations.size} subscriptions, the most allowed; open another connection or complete one.`,
            ),
          ];
        }
        // The slot is taken before any await, so concurrent subscribes count each other.
        const operation: Operation = { requestId: randomUUID(), controller: new AbortController() };
        operations.set(id, operation);
        const refuse = (errors: readonly unknown[]) => {
          finish(ctx.extra, id); // graphql-ws calls onComplete only for operations that ran
          return toContract(errors, operation.requestId);
        };
        try {
          await admission.charge(facts);
          const params = { ...payload, query: admission.documentOf(payload as DocumentParams, facts) ?? '' };
          const yoga = options.paths.get(pathOf(ctx.extra.request)) as Gateway;
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            facts,
            params,
            requestId: operation.requestId,
            signal: operation.controller.signal,
          });
          const document = parse(params.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return refuse(errors);
          const executors: Executors = { execute, subscribe };
          return {
            schema,
            document,
            operationName: payload.operationName ?? null,
            variableValues: payload.variables ?? null,
            contextValue: await contextFactory(),
            rootValue: executors,
          };
        } catch (error) {
          return refuse([error]);
        }
      },
      execute: (args) => run(args, 'execute'),
      subscribe: (args) => run(args, 'subscribe'),
      // An event stream that fails mid-way (its poller ended) reports its error in the contract.
      onError: (ctx, id, _payload, errors: readonly GraphQLError[]) =>
        toContract(errors, connections.get(ctx.extra)?.operations.get(id)?.requestId).map((error) =>
          error.toJSON(),
        ),
      onComplete: (ctx, id) => finish(ctx.extra, id),
    },
    options.log,
  );

  return {
    /** Open WebSocket connections. */
    get connections(): number {
      return wss.clients.size;
    },
    /** Completes every operation and closes every socket with 1001 (going away). */
    async close(): Promise<void> {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(GOING_AWAY, 'The gateway is shutting down');
      await transport.dispose();
    },
  };
}

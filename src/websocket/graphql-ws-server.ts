import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { isAsyncIterable } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { type CredentialVerdicts, clientAddressOf, rateKeyOf, type TrustProxy } from '../edge/callers.js';
import { connectionCredentials } from '../edge/credentials.js';
import { hostAllowed } from '../edge/host-check.js';
import type { RateLimiter } from '../edge/rate-limit.js';
import { maskError, withCode } from '../pipeline/errors.js';
import { apqNamespaceOf, type DocumentParams, type TrustedDocuments } from '../pipeline/trusted-documents.js';
import { rateLimitedBody } from '../pipeline/use-rate-limit.js';
import { withRequestId } from '../pipeline/use-request-id.js';
import type { EdgeFacts, Gateway } from '../pipeline/yoga.js';

export interface WebSocketOptions {
  path: string;
  /** Largest message a client may send (MAX_BODY_BYTES): a larger one closes the connection (1009). */
  maxPayloadBytes: number;
  /** Whose `X-Forwarded-For` to believe (TRUSTED_PROXIES), for the connection's client address. */
  trustProxy: TrustProxy;
  /** When the gateway acts on ambient credentials: the hosts answered besides loopback names (ALLOWED_HOSTS). */
  allowedHosts?: readonly string[] | undefined;
  /** What Run:ai said of the tokens callers sent: who is a caller of its own for the rate limit. */
  verdicts?: CredentialVerdicts | undefined;
  /** Milliseconds a client has to send `connection_init`. */
  connectionInitWaitTimeoutMs: number;
  /** Subscriptions one connection may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** Demo mode: connections without credentials are accepted (they act as the demo token). */
  allowAnonymous: boolean;
  /** Browser origins allowed besides the gateway's own (CORS_ORIGINS). */
  allowedOrigins: readonly string[];
  /** The callers' operation budget, shared with HTTP. */
  rateLimit?: { limiter: RateLimiter; perMinute: number } | undefined;
  /** Persisted documents: an operation may name its document by id, as over HTTP (PERSISTED_ONLY included). */
  trustedDocuments?: TrustedDocuments | undefined;
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

/** What a connection holds while it is open: its caller, and the abort signal of each running operation. */
interface Connection {
  facts: EdgeFacts;
  operations: Map<string, AbortController>;
}

/** What the operation produced when onSubscribe started it: a result or an event stream. */
interface Started {
  result: ExecutionResult | AsyncIterable<ExecutionResult>;
}

/** Any failure while preparing an operation, as coded GraphQL errors for this operation alone. */
function refusal(error: unknown): GraphQLError[] {
  const masked = maskError(error, 'Unexpected error.');
  return [withCode(masked instanceof GraphQLError ? masked : new GraphQLError(masked.message))];
}

/**
 * Serves GraphQL over WebSocket (the `graphql-transport-ws` protocol of
 * graphql-ws) on the gateway's HTTP server. Operations go through
 * `yoga.getEnveloped`, so they get the same plugins and context as HTTP.
 * Credentials come in the `connection_init` payload; a connection without
 * them is closed with 4403.
 */
export function attachWebSocket(server: Server, yoga: Gateway, options: WebSocketOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== options.path) {
      socket.destroy();
      return;
    }
    if (options.allowedHosts && !hostAllowed(req.headers.host, options.allowedHosts)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!originAllowed(req, options.allowedOrigins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);
  const active = new WeakMap<object, number>();
  const connections = new WeakMap<object, Connection>();
  /** Aborts an operation's Run:ai calls: it completed, was refused, or its socket closed. */
  const finish = (extra: object, id: string) => {
    const operations = connections.get(extra)?.operations;
    operations?.get(id)?.abort();
    operations?.delete(id);
  };

  const disposable = useServer<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs,
      // Reads the credentials once, then lets go of the payload; false closes the socket with 4403 Forbidden.
      onConnect: (ctx) => {
        const params = ctx.connectionParams;
        if (params && JSON.stringify(params).length > MAX_CONNECTION_PARAMS_BYTES) {
          ctx.extra.socket.close(4400, 'connection_init payload too large');
          return false;
        }
        const facts: EdgeFacts = {
          credentials: connectionCredentials(params),
          address: clientAddressOf(ctx.extra.request, options.trustProxy),
        };
        (ctx as { connectionParams?: unknown }).connectionParams = undefined;
        connections.set(ctx.extra, { facts, operations: new Map() });
        const { kind } = facts.credentials;
        return kind === 'bearer' || (kind === 'none' && options.allowAnonymous);
      },
      onClose: (ctx) => {
        const operations = connections.get(ctx.extra)?.operations;
        for (const controller of operations?.values() ?? []) controller.abort();
        operations?.clear();
      },
      // The operation is started here, not by graphql-ws: a refusal before it runs (bad syntax, a
      // limit, a broken argument rule, no credentials) is then an `error` message for this
      // operation alone, never a failure of the whole connection.
      onSubscribe: async (ctx, id, payload) => {
        const connection = connections.get(ctx.extra);
        if (!connection) return [new GraphQLError('The connection is not initialised.')];
        const { facts } = connection;
        if (options.rateLimit) {
          const key = rateKeyOf(facts.credentials, facts.address, options.verdicts);
          const verdict = await options.rateLimit.limiter.consume(key);
          if (!verdict.allowed) {
            const [error] = rateLimitedBody(verdict.retryAfterMs, options.rateLimit.perMinute).body.errors;
            return [
              new GraphQLError(error?.message ?? 'Rate limited', { extensions: error?.extensions ?? {} }),
            ];
          }
        }
        const held = active.get(ctx.extra) ?? 0;
        if (held >= options.maxSubscriptionsPerConnection) {
          return [
            withCode(
              new GraphQLError(
                `This connection holds ${held} subscriptions, the most allowed; open another connection or complete one.`,
                { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } },
              ),
            ),
          ];
        }
        // The slot is taken now, before any await, so concurrent subscribes count each other;
        // a refusal gives it back (graphql-ws calls onComplete only for operations that ran).
        active.set(ctx.extra, held + 1);
        const controller = new AbortController();
        connection.operations.set(id, controller);
        const refuse = (errors: readonly GraphQLError[]) => {
          active.set(ctx.extra, Math.max(0, (active.get(ctx.extra) ?? 1) - 1));
          finish(ctx.extra, id);
          return errors.map(withCode);
        };
        try {
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            facts,
            signal: controller.signal,
            params: payload,
          });
          const query = options.trustedDocuments
            ? options.trustedDocuments.resolve(payload as DocumentParams, apqNamespaceOf(facts.credentials))
            : payload.query;
          const document: ExecutionArgs['document'] = parse(query);
          const errors = validate(schema, document);
          if (errors.length > 0) return refuse(errors);
          const args: ExecutionArgs = {
            schema,
            document,
            operationName: payload.operationName ?? null,
            variableValues: payload.variables ?? null,
            contextValue: await contextFactory(),
          };
          const run =
            getOperationAST(document, args.operationName)?.operation === 'subscription' ? subscribe : execute;
          const result = (await run(args)) as Started['result'];
          if (!isAsyncIterable(result) && !('data' in result) && result.errors?.length) {
            return refuse(result.errors);
          }
          const started: Started = { result };
          return { ...args, rootValue: started };
        } catch (error) {
          return refuse(refusal(error));
        }
      },
      // The operation's request id on errors that are not the caller's own mistake, as over HTTP.
      onNext: (_ctx, _id, _payload, args, result) => {
        const requestId = (args.contextValue as { requestId?: string }).requestId;
        if (!result.errors?.length || !requestId) return undefined;
        return { ...result, errors: withRequestId(result.errors.map(withCode), requestId) };
      },
      onComplete: (ctx, id) => {
        active.set(ctx.extra, Math.max(0, (active.get(ctx.extra) ?? 1) - 1));
        finish(ctx.extra, id);
      },
      execute: (args) => (args.rootValue as Started).result as never,
      subscribe: (args) => (args.rootValue as Started).result as never,
    },
    wss,
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
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

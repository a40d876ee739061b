import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, type ExecutionResult, GraphQLError, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { isAsyncIterable } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { connectionAuthorization } from './credentials.js';
import { maskError, withCode } from './error-contract.js';
import type { Gateway } from './gateway.js';

export interface WebSocketOptions {
  path: string;
  /** Milliseconds a client has to send `connection_init`. */
  connectionInitWaitTimeoutMs: number;
  /** Subscriptions one connection may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** Demo mode: connections without credentials are accepted (they act as the demo token). */
  allowAnonymous: boolean;
}

/** WebSocket close code for a server going away (RFC 6455). */
const GOING_AWAY = 1001;

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
  const wss = new WebSocketServer({ noServer: true });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== options.path) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);
  const active = new WeakMap<object, number>();

  const disposable = useServer<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs,
      // false closes the socket with 4403 Forbidden.
      onConnect: (ctx) =>
        options.allowAnonymous || connectionAuthorization(ctx.connectionParams) !== undefined,
      // The operation is started here, not by graphql-ws: a refusal before it runs (bad syntax, a
      // limit, a broken argument rule, no credentials) is then an `error` message for this
      // operation alone, never a failure of the whole connection.
      onSubscribe: async (ctx, _id, payload) => {
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
        const refuse = (errors: readonly GraphQLError[]) => {
          active.set(ctx.extra, Math.max(0, (active.get(ctx.extra) ?? 1) - 1));
          return errors.map(withCode);
        };
        try {
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            connectionParams: ctx.connectionParams,
            params: payload,
          });
          const document: ExecutionArgs['document'] = parse(payload.query);
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
      onComplete: (ctx) => {
        active.set(ctx.extra, Math.max(0, (active.get(ctx.extra) ?? 1) - 1));
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

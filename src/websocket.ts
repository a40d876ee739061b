import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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

/** The Authorization value a client put in its `connection_init` payload. */
export function connectionAuthorization(
  params: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const value = params?.['authorization'] ?? params?.['Authorization'];
  return typeof value === 'string' ? value : undefined;
}

/** WebSocket close code for a server going away (RFC 6455). */
const GOING_AWAY = 1001;

interface RootValue {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
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
      onSubscribe: async (ctx, _id, payload) => {
        const held = active.get(ctx.extra) ?? 0;
        if (held >= options.maxSubscriptionsPerConnection) {
          return [
            new GraphQLError(
              `This connection holds ${held} subscriptions, the most allowed; open another connection or complete one.`,
              { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } },
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          connectionParams: ctx.connectionParams,
          params: payload,
        });
        let document: ExecutionArgs['document'];
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax error in the operation.')];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        active.set(ctx.extra, held + 1);
        const rootValue: RootValue = { execute, subscribe };
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue,
        };
      },
      onComplete: (ctx) => {
        active.set(ctx.extra, Math.max(0, (active.get(ctx.extra) ?? 1) - 1));
      },
      execute: (args) => (args.rootValue as RootValue).execute(args) as never,
      subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
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

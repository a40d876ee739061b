import type { IncomingMessage } from 'node:http';
import { CloseCode, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../telemetry/logger.js';

/** What graphql-ws's hooks see of a connection's transport: its socket and upgrade request. */
export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

/** How often a connection is pinged; one that does not answer within as long is dropped. */
const KEEP_ALIVE_MS = 12_000;

/**
 * Carries graphql-ws's protocol (`makeServer`) over the sockets of a `ws`
 * server, as graphql-ws's own `use/ws` does, with the gateway's logger:
 * a socket error a client causes (an oversized or malformed frame, which
 * `ws` answers by closing with 1009 or 1002) is logged at debug, not written
 * to stderr with a stack for each one; a failure of the gateway's own
 * while handling a message is logged as an error and closes that
 * connection with 4500.
 */
export function serveGraphqlWs(
  wss: WebSocketServer,
  options: ServerOptions<Record<string, unknown>, WsExtra>,
  log: Logger,
): { dispose: () => Promise<void> } {
  const server = makeServer(options);
  wss.on('error', (error) => log.error({ err: error }, 'websocket server error'));
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.on('error', (error: NodeJS.ErrnoException) =>
      log.debug({ code: error.code, message: error.message }, 'websocket: client socket error'),
    );
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const keepAlive = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, KEEP_ALIVE_MS);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              await handle(String(data));
            } catch (error) {
              log.error({ err: error }, 'websocket: a message failed unexpectedly');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      clearInterval(keepAlive);
      closed(code, String(reason)).catch((error: unknown) =>
        log.error({ err: error }, 'websocket: closing a connection failed'),
      );
    });
  });
  return {
    async dispose() {
      wss.removeAllListeners('connection');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

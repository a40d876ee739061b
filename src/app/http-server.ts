import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { limitChunkedBodies } from '../http/body-limits.js';
import { answerClientErrors } from '../http/client-errors.js';
import { type RouteOptions, routes } from '../http/routes.js';

/** The node:http server of the routes, with its body cap and its answers to malformed requests. */
export function createHttpServer(options: RouteOptions): Server {
  const server = createServer(routes(options));
  limitChunkedBodies(server, options.maxBodyBytes);
  answerClientErrors(server);
  return server;
}

/** Listens on `port` and `host`; resolves the URL clients reach it by. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
}

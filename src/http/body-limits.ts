import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { gatewayError } from '../domain/errors.js';
import { sendErrors } from './replies.js';

/** The largest request body by default (a tuning knob: docs/configuration.md); also the largest WebSocket message. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** A body over the cap: the connection closes, so the rest of the body is not read. */
export function tooLarge(res: ServerResponse, maxBytes: number): void {
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

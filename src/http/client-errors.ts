import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../domain/errors.js';
import { gatewayError } from '../domain/errors.js';
import { errorJson, statusOf } from '../graphql/errors.js';

/**
 * Answers a request Node's HTTP parser cannot read (a malformed request line
 * or header, headers too large, too slow) in the error contract, as Node
 * would answer it, but with a coded JSON body; then closes the connection.
 * A socket whose response to an earlier request is still being written is
 * only closed: an answer written into it would corrupt that response.
 */
export function answerClientErrors(server: Server): void {
  const answering = new WeakSet<Socket>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    answering.add(req.socket);
    res.once('close', () => answering.delete(req.socket));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || answering.has(socket as Socket)) {
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

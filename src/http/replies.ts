import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import { errorJson, headersOf, statusOf } from '../graphql/errors.js';

/**
 * An answer in the shape of the error contract (`{ errors }`, each with its
 * `extensions.code` and status), for requests answered outside yoga:
 * refused before it sees them, or served by a route of their own. The
 * response takes the highest status of its errors, and their headers.
 */
export function sendErrors(
  res: ServerResponse,
  errors: readonly GraphQLError[],
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(Math.max(...errors.map(statusOf)), {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...Object.assign({}, ...errors.map(headersOf)),
    ...headers,
  });
  res.end(JSON.stringify({ errors: errors.map((error) => errorJson(error)) }));
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

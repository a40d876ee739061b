import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * An answer in the shape of the error contract (`{ errors }`, each with its
 * `extensions.code`), for requests answered outside yoga: refused before it
 * sees them, or served by a route of their own.
 */
export function sendErrors(
  res: ServerResponse,
  status: number,
  errors: readonly object[],
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify({ errors }));
}

/** One error of the contract: its message, code and status. */
export function contractError(status: number, code: string, message: string) {
  return { message, extensions: { code, http: { status } } };
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

import { randomUUID } from 'node:crypto';

/** An id a caller or proxy may set, kept when it is short and plain; anything else is replaced. */
const INCOMING_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The id of one request, so a caller reporting a failure and an operator
 * reading the logs talk about the same request: the caller's `x-request-id`
 * when it is short and plain, else a fresh UUID. The HTTP routes echo it in
 * the `x-request-id` response header; over graphql-ws, each operation gets
 * its own. The error contract puts it on every error that is not the
 * caller's own mistake.
 */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
}

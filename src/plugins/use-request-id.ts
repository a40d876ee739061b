import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isClientError, withExtensions } from '../error-contract.js';

/** An id a caller or proxy may set, kept when it is short and plain; anything else is replaced. */
const INCOMING_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Errors with the request id on those that are not the caller's own mistake. */
export function withRequestId<E extends GraphQLError>(
  errors: readonly E[],
  requestId: string,
): GraphQLError[] {
  return errors.map((error) => {
    const code = error.extensions?.['code'];
    return typeof code === 'string' && isClientError(code)
      ? error
      : withExtensions(error, { ...error.extensions, requestId });
  });
}

/** The request id of every HTTP request, and the plugin that shows it. */
export interface RequestIds {
  /** The id of a request: the caller's `x-request-id` when plain, else a fresh UUID; the same for one request. */
  idOf(request: Request | undefined): string;
  plugin: Plugin;
}

/**
 * A request id per HTTP request, so a caller reporting a failure and an
 * operator reading the logs talk about the same request. It is echoed in
 * the `x-request-id` response header, and in `extensions.requestId` of every
 * error that is not the caller's own mistake (Run:ai failures, the gateway's
 * own), next to the operation log line that has the details. Over
 * graphql-ws, each operation's context has its own id (websocket.ts).
 */
export function useRequestIds(): RequestIds {
  const ids = new WeakMap<Request, string>();
  const idOf = (request: Request | undefined) => {
    if (!request) return randomUUID();
    let id = ids.get(request);
    if (!id) {
      const incoming = request.headers.get('x-request-id');
      id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
      ids.set(request, id);
    }
    return id;
  };
  return {
    idOf,
    plugin: {
      onResultProcess({ request, result, setResult }) {
        if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
        setResult({ ...result, errors: withRequestId(result.errors, idOf(request)) });
      },
      onResponse({ request, response }) {
        response.headers.set('x-request-id', idOf(request));
      },
    },
  };
}

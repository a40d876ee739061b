import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { isClientError, withExtensions } from './errors.js';
import { mapIncrementalErrors } from './use-error-contract.js';

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

/**
 * The id of one HTTP request, so a caller reporting a failure and an
 * operator reading the logs talk about the same request: the caller's
 * `x-request-id` when it is short and plain, else a fresh UUID. server.ts
 * echoes it in the `x-request-id` response header and hands it to yoga in
 * the server context; over graphql-ws, each operation's context has its own
 * (websocket.ts).
 */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Puts the request id in `extensions.requestId` of every error that is not
 * the caller's own mistake (Run:ai failures, the gateway's own), next to the
 * operation log line that has the details.
 */
export function useRequestIds(): Plugin<object, { requestId?: string }> {
  return {
    onResultProcess({ result, setResult, serverContext }) {
      const id = serverContext.requestId;
      if (!id || Array.isArray(result)) return;
      if (isAsyncIterable(result)) {
        // SSE and multipart (@defer, @stream): every payload, and the errors of its incremental parts.
        setResult(
          mapAsyncIterator(result, (payload) => {
            const marked = mapIncrementalErrors(payload, (errors) => withRequestId(errors, id));
            return marked.errors?.length ? { ...marked, errors: withRequestId(marked.errors, id) } : marked;
          }),
        );
        return;
      }
      if (!result.errors?.length) return;
      setResult({ ...result, errors: withRequestId(result.errors, id) });
    },
  };
}

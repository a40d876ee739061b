import type { ExecutionResult } from 'graphql';
import { getSSEProcessor, isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { stateOf } from '../operation-state.js';

type Processor = ReturnType<typeof getSSEProcessor>;

/**
 * Yoga's own SSE writer, with each event's `id:`: the cursor of the result
 * it carries (its `extensions.cursor`), so that a browser's `EventSource`
 * sends it back as `Last-Event-ID` when it reconnects. Yoga writes one
 * `event: next` per result, in order: each takes the next cursor.
 */
function withEventIds(sse: Processor): Processor {
  return (result, fetchAPI, acceptedMediaType) => {
    const cursors: (string | undefined)[] = [];
    const noted = isAsyncIterable(result)
      ? mapAsyncIterator(result as AsyncIterable<ExecutionResult>, (payload) => {
          const cursor = (payload.extensions as { cursor?: unknown } | undefined)?.cursor;
          cursors.push(typeof cursor === 'string' ? cursor : undefined);
          return payload;
        })
      : result;
    const response = sse(noted, fetchAPI, acceptedMediaType) as Response;
    if (!response.body) return response;
    const encoder = new fetchAPI.TextEncoder();
    const decoder = new fetchAPI.TextDecoder();
    const body = response.body.pipeThrough(
      new fetchAPI.TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const text = decoder.decode(chunk, { stream: true });
          if (!text.startsWith('event: next\n')) return controller.enqueue(chunk);
          const cursor = cursors.shift();
          controller.enqueue(cursor === undefined ? chunk : encoder.encode(`id: ${cursor}\n${text}`));
        },
      }),
    );
    return new fetchAPI.Response(body, { status: response.status, headers: response.headers });
  };
}

/**
 * Resumable change feeds on every transport: each event of
 * `nodePoolChanged` and `nodePoolPhaseChanged` carries its cursor (reported
 * by its resolver) in the result's `extensions.cursor` (graphql-ws clients
 * read it there, or as the `cursor` field), and a subscription over SSE
 * writes it as the event's `id:`.
 */
export function useEventIds(): Plugin {
  const sse = withEventIds(getSSEProcessor());
  const subscriptions = new WeakSet<Request>();
  return {
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (request) subscriptions.add(request);
      const state = stateOf(args.contextValue);
      return {
        onSubscribeResult() {
          return {
            onNext({ result, setResult }) {
              const cursor = state?.takeCursor();
              if (cursor !== undefined)
                setResult({ ...result, extensions: { ...result.extensions, cursor } });
            },
          };
        },
      };
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      // A subscription's stream over HTTP is always an event stream: yoga has no other for it.
      if (!subscriptions.has(request) || !resultProcessor || !isAsyncIterable(result)) return;
      setResultProcessor(sse, 'text/event-stream');
    },
  };
}

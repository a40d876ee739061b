import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** Where a change feed event's resolver leaves its cursor for the result (src/resolvers/subscriptions.ts). */
export interface EventCursorSlot {
  eventCursor?: string | undefined;
}

/** How often an idle event stream sends a comment, so that proxies keep it open (as yoga does). */
const PING_MS = 12_000;

type Streamed = ExecutionResult & { stringify?: (result: ExecutionResult) => string };

/** A result as JSON, without yoga's `extensions.http` directive (its status went with the first payload). */
function json(result: Streamed): string {
  const { http: _http, ...extensions } = (result.extensions ?? {}) as Record<string, unknown>;
  const clean = { ...result, extensions: Object.keys(extensions).length > 0 ? extensions : undefined };
  delete clean.stringify;
  return (result.stringify ?? JSON.stringify)(clean);
}

/**
 * A subscription over server-sent events, as yoga writes it (`event: next`
 * per result, `event: complete` at the end, a comment every 12 s), plus
 * each change feed event's cursor as its `id:`: a browser's `EventSource`
 * sends it back as `Last-Event-ID` when it reconnects, and the gateway
 * resumes after it.
 */
function eventStream(results: AsyncIterable<Streamed>, fetchAPI: { Response: typeof Response }): Response {
  const encoder = new TextEncoder();
  const iterator = results[Symbol.asyncIterator]();
  let ping: NodeJS.Timeout | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(':\n\n'));
      ping = setInterval(() => {
        if (controller.desiredSize === null) clearInterval(ping);
        else if (controller.desiredSize > 0) controller.enqueue(encoder.encode(':\n\n'));
      }, PING_MS);
    },
    async pull(controller) {
      const next = await iterator.next();
      if (next.value != null) {
        const cursor = (next.value.extensions as { cursor?: unknown } | undefined)?.cursor;
        const id = typeof cursor === 'string' ? `id: ${cursor}\n` : '';
        controller.enqueue(encoder.encode(`${id}event: next\ndata: ${json(next.value)}\n\n`));
      }
      if (next.done) {
        controller.enqueue(encoder.encode('event: complete\ndata:\n\n'));
        clearInterval(ping);
        controller.close();
      }
    },
    async cancel() {
      clearInterval(ping);
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream',
      connection: 'keep-alive',
      'cache-control': 'no-cache',
      'content-encoding': 'none',
    },
  });
}

/**
 * Resumable change feeds on every transport: each event of
 * `nodePoolChanged` and `nodePoolPhaseChanged` carries its cursor in the
 * result's `extensions.cursor` (graphql-ws clients read it there, or as the
 * `cursor` field), and a subscription over SSE writes it as the event's
 * `id:`.
 */
export function useEventIds(): Plugin<EventCursorSlot> {
  const subscriptions = new WeakSet<Request>();
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as EventCursorSlot & { request?: Request };
      if (context.request) subscriptions.add(context.request);
      return {
        onSubscribeResult() {
          return {
            onNext({ result, setResult }) {
              const cursor = context.eventCursor;
              if (cursor === undefined) return;
              context.eventCursor = undefined;
              setResult({ ...result, extensions: { ...result.extensions, cursor } });
            },
          };
        },
      };
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      // A subscription's stream over HTTP is always an event stream: yoga has no other for it.
      if (!subscriptions.has(request) || !resultProcessor || !isAsyncIterable(result)) return;
      setResultProcessor(
        (results, fetchAPI) => eventStream(results as AsyncIterable<Streamed>, fetchAPI),
        'text/event-stream',
      );
    },
  };
}

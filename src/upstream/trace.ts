import {
  type Attributes,
  context,
  defaultTextMapSetter,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
} from '@opentelemetry/semantic-conventions';
import type { CallStats, Send } from './call.js';
import { isUpstreamError } from './errors.js';

/** `url.template` is still in the incubating conventions, whose entry point is not meant for import. */
const ATTR_URL_TEMPLATE = 'url.template';
/** The Run:ai operationId of the call. */
export const ATTR_RUNAI_OPERATION = 'runai.operation_id';
/** HTTP attempts the call took: 1 plus its retries. */
export const ATTR_RUNAI_ATTEMPTS = 'runai.attempts';
/** Whether one request answered several callers (identical GETs in flight shared). */
export const ATTR_RUNAI_SHARED = 'runai.shared';

export interface TraceOptions {
  tracer: Tracer;
  /** Writes the call's span into the request headers (W3C `traceparent`). */
  propagator: TextMapPropagator;
}

/**
 * One CLIENT span per logical Run:ai call, child of the span active where
 * the call was made (a GraphQL operation's execute span, through async
 * context). Its `traceparent` goes out on every attempt, so Run:ai's side
 * joins the same trace. It sits above the sharing layer, so every caller
 * gets its own span, marked `runai.shared` when one request served several.
 *
 * The span holds the method, the route template (never the concrete path
 * with its ids), the status, the attempts and the error code: no query, body
 * or header, so no token.
 */
export function withTracing(send: Send, { tracer, propagator }: TraceOptions): Send {
  return (call) => {
    const { req } = call;
    const route = req.route ?? req.path;
    const span = tracer.startSpan(`${req.method} ${route}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: req.method,
        [ATTR_URL_TEMPLATE]: route,
        [ATTR_RUNAI_OPERATION]: req.operation,
      },
    });
    const active = trace.setSpan(context.active(), span);
    const headers: Record<string, string> = {};
    propagator.inject(active, headers, defaultTextMapSetter);
    const stats: CallStats = { attempts: 0, shared: false };
    return context
      .with(active, () => send({ ...call, headers, stats }))
      .then(
        (res) => {
          end(span, stats, { [ATTR_HTTP_RESPONSE_STATUS_CODE]: res.status });
          return res;
        },
        (error: unknown) => {
          const status = isUpstreamError(error) ? error.status : undefined;
          span.setStatus({ code: SpanStatusCode.ERROR });
          end(span, stats, {
            [ATTR_ERROR_TYPE]: isUpstreamError(error) ? error.code : errorName(error),
            ...(status !== undefined ? { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status } : {}),
          });
          throw error;
        },
      );
  };
}

function end(span: Span, stats: CallStats, attributes: Attributes): void {
  span.setAttributes({
    ...attributes,
    [ATTR_RUNAI_ATTEMPTS]: stats.attempts,
    [ATTR_RUNAI_SHARED]: stats.shared,
  });
  span.end();
}

/** A caller's abort arrives as its signal's reason: its name (`AbortError`, `TimeoutError`), never its message. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

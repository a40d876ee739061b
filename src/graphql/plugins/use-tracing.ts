import {
  type Context,
  context as otelContext,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapPropagator,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type DocumentNode, type GraphQLError, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { isClientError } from '../../domain/errors.js';
import { codeOf } from '../errors.js';
import { errorsOf, type IncrementalPayload } from '../payloads.js';
import { shortened } from './use-operation-log.js';

/** `graphql.*` are still incubating conventions, whose entry point is not meant for import. */
export const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
export const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
/** The `extensions.code` of each error of the operation, once each (GRAPHQL_PARSE_FAILED, UPSTREAM_TIMEOUT …). */
export const ATTR_GRAPHQL_ERROR_CODES = 'graphql.error.codes';

export interface TracingPluginOptions {
  tracer: Tracer;
  /** Reads the caller's trace context (W3C `traceparent`) from the HTTP request. */
  propagator: TextMapPropagator;
}

/** What yoga (HTTP) and websocket.ts (graphql-ws) put in the context an operation starts with. */
interface InitialContext {
  request?: Request;
  params?: { operationName?: string | null | undefined };
}

/** One operation's spans, from its parse to its last result. */
interface OperationTrace {
  span: Span;
  /** The context whose active span is the operation's: the parent of its phases. */
  context: Context;
  /** The execute (or subscribe) phase, open until the last result is out. */
  execution?: Span;
  /** The codes of a document validation refused: the operation ends with the validate span. */
  refused?: string[];
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * OpenTelemetry traces: one SERVER span per GraphQL operation, over HTTP,
 * SSE and graphql-ws alike, with a child span for parse, validate and
 * execute (subscribe, for subscriptions). Over HTTP the operation continues
 * the caller's trace (`traceparent`); a graphql-ws operation starts its own.
 * The execute phase runs with its span active, so the Run:ai calls the
 * resolvers make (src/upstream/trace.ts) become its children.
 *
 * The spans hold the operation's name and type and its error codes; never
 * the document's variables, nor anything from the request's headers but its
 * trace context.
 *
 * Built on envelop's instrumentation, which wraps each phase whatever
 * transport drives it: yoga for HTTP, `getEnveloped` in websocket.ts.
 */
export function useTracing({ tracer, propagator }: TracingPluginOptions): Plugin {
  /** Keyed by the context object every phase of one operation shares. */
  const operations = new WeakMap<object, OperationTrace>();

  const begin = (ctx: InitialContext): OperationTrace => {
    const parent = ctx.request
      ? propagator.extract(otelContext.active(), ctx.request.headers, headerGetter)
      : otelContext.active();
    const span = tracer.startSpan('GraphQL Operation', { kind: SpanKind.SERVER }, parent);
    const operation: OperationTrace = { span, context: trace.setSpan(parent, span) };
    operations.set(ctx, operation);
    return operation;
  };

  /** Ends the operation (and its execution) with the codes of its errors; an error not the caller's is an ERROR. */
  const finish = (ctx: object, codes: readonly string[]) => {
    const operation = operations.get(ctx);
    if (!operation) return;
    operations.delete(ctx);
    const unique = [...new Set(codes)];
    for (const span of [operation.execution, operation.span]) {
      if (!span) continue;
      if (unique.length > 0) span.setAttribute(ATTR_GRAPHQL_ERROR_CODES, unique);
      if (unique.some((code) => !isClientError(code))) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };

  /** A synchronous phase (parse, validate) as a child span of the operation. */
  const phase = (ctx: object, name: string, wrapped: () => void) => {
    const operation = operations.get(ctx);
    if (!operation) return wrapped();
    const span = tracer.startSpan(name, undefined, operation.context);
    try {
      otelContext.with(trace.setSpan(operation.context, span), wrapped);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  };

  /** Execute or subscribe: its span stays open until the result is complete (see `onResult`). */
  const execution = (ctx: object, name: string, wrapped: () => unknown) => {
    const operation = operations.get(ctx);
    if (!operation) return wrapped();
    const span = tracer.startSpan(name, undefined, operation.context);
    operation.execution = span;
    const failed = (error: unknown) => {
      finish(ctx, [codeOf(error)]);
      throw error;
    };
    try {
      // Resolvers inherit this context across their awaits: their Run:ai calls become the span's children.
      const done = otelContext.with(trace.setSpan(operation.context, span), wrapped);
      return isThenable(done) ? Promise.resolve(done).catch(failed) : done;
    } catch (error) {
      return failed(error);
    }
  };

  /** The end of an execution: a single result now, a stream (subscription, @defer) when it ends. */
  const onResult = ({ args, result }: { args: { contextValue: unknown }; result: unknown }) => {
    const ctx = args.contextValue as object;
    if (!isAsyncIterable(result)) {
      finish(ctx, ((result as { errors?: readonly GraphQLError[] }).errors ?? []).map(codeOf));
      return undefined;
    }
    const codes: string[] = [];
    return {
      onNext: ({ result: payload }: { result: unknown }) => {
        codes.push(...errorsOf(payload as IncrementalPayload).map(codeOf));
      },
      onEnd: () => finish(ctx, codes),
    };
  };

  return {
    instrumentation: {
      // Parse is the first phase of every operation (yoga's cache answers inside it): the operation starts here.
      parse: ({ context }, wrapped) => {
        const ctx = context as InitialContext;
        if (!operations.has(ctx)) begin(ctx);
        try {
          phase(ctx, 'graphql.parse', wrapped);
        } catch (error) {
          finish(ctx, [parseFailureCode(error)]);
          throw error;
        }
      },
      validate: ({ context }, wrapped) => {
        phase(context, 'graphql.validate', wrapped);
        const refused = operations.get(context)?.refused;
        // An invalid document is never executed: the operation ends here.
        if (refused) finish(context, refused);
      },
      // Building the context may fetch a service token from Run:ai: that call belongs to the operation too.
      context: ({ context }, wrapped) => {
        const operation = operations.get(context);
        return operation ? otelContext.with(operation.context, wrapped) : wrapped();
      },
      execute: ({ context }, wrapped) => execution(context, 'graphql.execute', wrapped) as Promise<void>,
      subscribe: ({ context }, wrapped) => execution(context, 'graphql.subscribe', wrapped) as Promise<void>,
    },
    onPluginInit({ registerContextErrorHandler }) {
      registerContextErrorHandler(({ context, error }) => finish(context, [codeOf(error)]));
    },
    onParse({ context }) {
      return ({ result }) => {
        const operation = operations.get(context);
        if (!operation || result === null || result instanceof Error) return;
        name(operation.span, result, (context as InitialContext).params?.operationName);
      };
    },
    onValidate({ context }) {
      return ({ valid, result }) => {
        const operation = operations.get(context);
        if (operation && !valid) operation.refused = result.map(codeOf);
      };
    },
    onExecute: () => ({ onExecuteDone: onResult }),
    onSubscribe: () => ({ onSubscribeResult: onResult }),
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/** Names the span after its operation, as the conventions ask: `query Dashboard`, or `query` alone. */
function name(span: Span, document: DocumentNode, operationName: string | null | undefined): void {
  const operation = getOperationAST(document, operationName);
  if (!operation) return;
  span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, operation.operation);
  const named = operation.name ? shortened(operation.name.value) : undefined;
  if (named) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, named);
  span.updateName(named ? `${operation.operation} ${named}` : operation.operation);
}

/** graphql-js's syntax errors carry no code (the error contract gives them theirs later); a limit's does. */
function parseFailureCode(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
  return typeof code === 'string' ? code : 'GRAPHQL_PARSE_FAILED';
}

/**
 * OpenTelemetry tracing, set up only when an OTLP endpoint is configured:
 * app/app.ts imports this module dynamically, so with tracing off no
 * `@opentelemetry` module is loaded at all.
 */
import { context, DiagLogLevel, diag, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * The gateway's tracing: the tracer and propagator that the yoga plugin
 * (src/graphql/plugins/use-tracing.ts) and the upstream layer
 * (src/upstream/trace.ts) use, and the provider behind them.
 */
export interface Tracing {
  tracer: Tracer;
  propagator: TextMapPropagator;
  /** Exports the spans still buffered, then shuts the provider down; never rejects. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Where spans are posted, OTLP/JSON over HTTP (config.ts `tracesUrl`). */
  url: string;
  /** Told when spans cannot be exported (the collector is down) and of the SDK's other warnings. */
  warn: (obj: object, msg: string) => void;
}

/** The context manager is process-wide and can be registered once; every gateway of the process shares it. */
let contextManagerRegistered = false;

/**
 * Starts tracing: spans go in batches (BatchSpanProcessor) to `url`. The
 * SDK reads the other standard variables itself: OTEL_EXPORTER_OTLP_HEADERS,
 * OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_*,
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (service name by default
 * `nodepool-gateway`).
 */
export function startTracing({ url, warn }: TracingOptions): Tracing {
  if (!contextManagerRegistered) {
    contextManagerRegistered = true;
    context.setGlobalContextManager(new AsyncLocalStorageContextManager());
    // The SDK reports failed exports through `diag`, which is silent unless given a logger.
    diag.setLogger(
      {
        error: (message, ...args) => warn({ args }, `opentelemetry: ${message}`),
        warn: (message, ...args) => warn({ args }, `opentelemetry: ${message}`),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.WARN,
    );
  }
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'nodepool-gateway' }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  const tracer = provider.getTracer('nodepool-gateway');
  const propagator = new W3CTraceContextPropagator();
  return {
    tracer,
    propagator,
    // A collector that is down must not fail the gateway's shutdown: the spans are lost, and said so.
    shutdown: () =>
      provider
        .shutdown()
        .catch((error: unknown) => warn({ err: error }, 'opentelemetry: last spans not exported')),
  };
}

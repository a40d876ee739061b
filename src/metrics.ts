import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CircuitState, UpstreamCallEvent } from './upstream/http.js';

/** What the gauges read when Prometheus scrapes. */
export interface MetricSources {
  subscriptions: () => number;
  pollers: () => number;
  circuit: () => CircuitState;
  /** Present when Redis carries refresh signals between replicas. */
  redisConnected?: (() => boolean) | undefined;
}

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, halfOpen: 1, open: 2 };
/** Operation names are client-chosen: anything unusual is folded into one label value. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export type OperationOutcome = 'success' | 'partial' | 'error' | 'invalid';

/**
 * The gateway's Prometheus metrics, on a registry of its own (never the
 * process-global one), so several gateways in one process do not collide.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by operation name and outcome (success, partial, error, invalid).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Duration of GraphQL operations, from execution start to result.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly upstreamRequests = new Counter({
    name: 'upstream_requests_total',
    help: 'HTTP attempts to Run:ai by operationId and status ("error" when no response came).',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  private readonly upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Duration of HTTP attempts to Run:ai.',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'subscriptions_active',
      help: 'Open GraphQL subscriptions (WebSocket and SSE).',
      registers: [this.registry],
      collect() {
        this.set(sources.subscriptions());
      },
    });
    new Gauge({
      name: 'pollers_active',
      help: 'Running phase watchers, one per credential scope with subscribers.',
      registers: [this.registry],
      collect() {
        this.set(sources.pollers());
      },
    });
    const redisConnected = sources.redisConnected;
    if (redisConnected) {
      new Gauge({
        name: 'redis_connected',
        help: 'Whether refresh signals reach the other replicas through Redis (1) or stay local (0).',
        registers: [this.registry],
        collect() {
          this.set(redisConnected() ? 1 : 0);
        },
      });
    }
    new Gauge({
      name: 'circuit_state',
      help: 'Circuit breaker of the Run:ai origin: 0 closed, 1 half-open, 2 open.',
      registers: [this.registry],
      collect() {
        this.set(CIRCUIT_VALUE[sources.circuit()]);
      },
    });
  }

  /** Records one finished GraphQL operation. */
  operation(name: string | null | undefined, outcome: OperationOutcome, seconds: number): void {
    const operation = name && NAME.test(name) ? name : name ? 'invalid_name' : 'anonymous';
    this.operations.inc({ operation, outcome });
    this.operationDuration.observe({ operation, outcome }, seconds);
  }

  /** Records one HTTP attempt to Run:ai (the UpstreamHttp `onCall` hook). */
  upstreamCall(event: UpstreamCallEvent): void {
    this.upstreamRequests.inc({ operation: event.operation, status: String(event.status) });
    this.upstreamDuration.observe({ operation: event.operation }, event.durationMs / 1000);
  }
}

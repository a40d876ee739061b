import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamCallEvent } from './upstream/http.js';

/** What the gauges read when Prometheus scrapes. */
export interface MetricSources {
  subscriptions: () => number;
  pollers: () => number;
  /** Credentials whose Run:ai circuit is open. */
  openCircuits: () => number;
  /** Credentials backing off after a 429. */
  backingOff: () => number;
  /** Present when Redis carries refresh signals between replicas. */
  redisConnected?: (() => boolean) | undefined;
}

/** Operation names are client-chosen: anything unusual is folded into one label value. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Distinct operation names that get series of their own; later ones count as `other`. */
const MAX_OPERATION_NAMES = 100;

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
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    gauge('subscriptions_active', 'Open GraphQL subscriptions (WebSocket and SSE).', sources.subscriptions);
    gauge(
      'pollers_active',
      'Running phase watchers, one per credential scope with subscribers.',
      sources.pollers,
    );
    const { redisConnected } = sources;
    if (redisConnected) {
      gauge(
        'redis_connected',
        'Whether refresh signals reach the other replicas through Redis (1) or stay local (0).',
        () => (redisConnected() ? 1 : 0),
      );
    }
    gauge(
      'upstream_circuits_open',
      'Credentials whose Run:ai circuit breaker is open after repeated 5xx, timeouts or connection failures.',
      sources.openCircuits,
    );
    gauge(
      'upstream_credentials_backing_off',
      'Credentials backing off after Run:ai answered them 429.',
      sources.backingOff,
    );
  }

  private readonly names = new Set<string>();

  /**
   * The label of an operation name. Names are the client's to choose, so the
   * set is capped: the first {@link MAX_OPERATION_NAMES} distinct names get
   * their own series, and later ones share `other`.
   */
  private operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!NAME.test(name)) return 'invalid_name';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(name);
    return name;
  }

  /** Records one finished GraphQL operation. */
  operation(name: string | null | undefined, outcome: OperationOutcome, seconds: number): void {
    const operation = this.operationLabel(name);
    this.operations.inc({ operation, outcome });
    this.operationDuration.observe({ operation, outcome }, seconds);
  }

  /** Records one HTTP attempt to Run:ai (the UpstreamHttp `onCall` hook). */
  upstreamCall(event: UpstreamCallEvent): void {
    this.upstreamRequests.inc({ operation: event.operation, status: String(event.status) });
    this.upstreamDuration.observe({ operation: event.operation }, event.durationMs / 1000);
  }
}

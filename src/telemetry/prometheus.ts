import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { UpstreamCallEvent } from '../upstream/http.js';
import { type MetricSources, registerGauges } from './gauges.js';

import { MachineRegistry } from './machine-metrics.js';

/** Operation names are client-chosen: anything unusual is folded into one label value. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Distinct operation names that get series of their own; later ones count as `other`. */
const MAX_OPERATION_NAMES = 100;

export type OperationOutcome = 'success' | 'partial' | 'error' | 'invalid';

export interface PrometheusOptions {
  /**
   * The operation names that get series of their own (a trusted-documents manifest's); any other counts as
   * `other`. Without it, the first 100 names seen do.
   */
  operationNames?: ReadonlySet<string> | undefined;
  /** A node:cluster worker: scrapes answer for every worker of the machine (see {@link serveMachineMetrics}). */
  machineWide?: boolean;
}

/**
 * The gateway's Prometheus metrics, on a registry of its own (never the
 * process-global one), so several gateways in one process do not collide.
 */
export class PrometheusMetrics {
  readonly registry: Registry;
  private readonly operations: Counter<'operation' | 'outcome'>;
  private readonly operationDuration: Histogram<'operation' | 'outcome'>;
  private readonly upstreamRequests: Counter<'operation' | 'status'>;
  private readonly upstreamDuration: Histogram<'operation'>;
  private readonly liveEventsDropped: Counter<'kind'>;
  private readonly livePolls: Counter<'kind' | 'outcome'>;
  private readonly liveHandovers: Counter<'kind'>;
  private readonly liveReplayed: Counter;
  private readonly liveResyncs: Counter;
  private readonly cacheLookups: Counter<'outcome'>;
  private readonly cacheInvalidations: Counter<'source'>;
  private readonly cacheDropped: Counter<'source'>;

  private readonly knownNames: ReadonlySet<string> | undefined;

  constructor(sources: MetricSources, { machineWide = false, operationNames }: PrometheusOptions = {}) {
    this.knownNames = operationNames;
    this.registry = machineWide ? new MachineRegistry() : new Registry();
    this.operations = new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by operation name and outcome (success, partial, error, invalid).',
      labelNames: ['operation', 'outcome'] as const,
      registers: [this.registry],
    });
    this.operationDuration = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'Duration of GraphQL operations, from execution start to result.',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.upstreamRequests = new Counter({
      name: 'upstream_requests_total',
      help: 'HTTP attempts to Run:ai by operationId and status ("error" when no response came).',
      labelNames: ['operation', 'status'] as const,
      registers: [this.registry],
    });
    this.upstreamDuration = new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Duration of HTTP attempts to Run:ai.',
      labelNames: ['operation'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.liveEventsDropped = new Counter({
      name: 'live_events_dropped_total',
      help: 'Subscription events dropped from the queue of a subscriber that read slower than they came, by poller kind.',
      labelNames: ['kind'] as const,
      registers: [this.registry],
    });
    this.livePolls = new Counter({
      name: 'live_polls_total',
      help: 'Polls of the shared pollers behind subscriptions, by kind and outcome (ok, error).',
      labelNames: ['kind', 'outcome'] as const,
      registers: [this.registry],
    });
    this.liveHandovers = new Counter({
      name: 'live_lease_handovers_total',
      help: 'Topics this process took over from a poller that left or died (it found the last poller’s snapshot), by kind.',
      labelNames: ['kind'] as const,
      registers: [this.registry],
    });
    this.liveReplayed = new Counter({
      name: 'live_replayed_events_total',
      help: 'Change feed events replayed to subscribers that resumed with a cursor.',
      registers: [this.registry],
    });
    this.liveResyncs = new Counter({
      name: 'live_resyncs_total',
      help: 'Resumes answered with RESYNC: the cursor was older than the log, or from a log that is gone.',
      registers: [this.registry],
    });
    this.cacheLookups = new Counter({
      name: 'response_cache_lookups_total',
      help: 'Queries the response cache was asked for, by outcome: hit (answered without Run:ai) or miss.',
      labelNames: ['outcome'] as const,
      registers: [this.registry],
    });
    this.cacheInvalidations = new Counter({
      name: 'response_cache_invalidations_total',
      help: 'Changes that dropped cached answers, by source: mutation (through this process), remote (through another process), watcher (seen by a list watcher of the deployment).',
      labelNames: ['source'] as const,
      registers: [this.registry],
    });
    this.cacheDropped = new Counter({
      name: 'response_cache_dropped_answers_total',
      help: 'Cached answers dropped by invalidations, by source.',
      labelNames: ['source'] as const,
      registers: [this.registry],
    });
    collectDefaultMetrics({ register: this.registry });
    registerGauges(this.registry, sources);
  }

  private readonly names = new Set<string>();

  /**
   * The label of an operation name. Names are the client's to choose, so the
   * set is capped: the names of the trusted-documents manifest, when there
   * is one, else the first {@link MAX_OPERATION_NAMES} distinct names of
   * operations that validated and carried credentials, get their own series,
   * and others share `other`.
   */
  private operationLabel(name: string | null | undefined, mayClaim: boolean): string {
    if (!name) return 'anonymous';
    if (!NAME.test(name)) return 'invalid_name';
    if (this.knownNames) return this.knownNames.has(name) ? name : 'other';
    if (this.names.has(name)) return name;
    if (!mayClaim || this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(name);
    return name;
  }

  /**
   * Records one finished GraphQL operation. Only an operation that was valid
   * and ran with credentials (`claims`) may give its name a series of its
   * own: invalid or anonymous-caller documents cannot take the slots.
   */
  operation(
    name: string | null | undefined,
    outcome: OperationOutcome,
    seconds: number,
    claims = false,
  ): void {
    const operation = this.operationLabel(name, claims);
    this.operations.inc({ operation, outcome });
    this.operationDuration.observe({ operation, outcome }, seconds);
  }

  /** Records one poll of a shared poller. */
  livePoll(kind: string, outcome: 'ok' | 'error'): void {
    this.livePolls.inc({ kind, outcome });
  }

  /** Records a lookup of the response cache. */
  responseCacheLookup(outcome: 'hit' | 'miss'): void {
    this.cacheLookups.inc({ outcome });
  }

  /** Records an invalidation of the response cache and the answers it dropped. */
  responseCacheInvalidation(source: string, dropped: number): void {
    this.cacheInvalidations.inc({ source });
    this.cacheDropped.inc({ source }, dropped);
  }

  /** Records a topic taken over from a poller that left or died. */
  liveHandover(kind: string): void {
    this.liveHandovers.inc({ kind });
  }

  /** Records events replayed to a resuming subscriber, or a resume answered with RESYNC. */
  liveResume(replayed: number | 'resync'): void {
    if (replayed === 'resync') this.liveResyncs.inc();
    else this.liveReplayed.inc(replayed);
  }

  /** Records one event dropped from a slow subscriber's queue. */
  liveEventDropped(kind: string): void {
    this.liveEventsDropped.inc({ kind });
  }

  /** Records one HTTP attempt to Run:ai (the UpstreamHttp `onCall` hook). */
  upstreamCall(event: UpstreamCallEvent): void {
    this.upstreamRequests.inc({ operation: event.operation, status: String(event.status) });
    this.upstreamDuration.observe({ operation: event.operation }, event.durationMs / 1000);
  }
}

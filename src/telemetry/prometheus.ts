import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamCallEvent } from '../upstream/http.js';

/** What the gauges read when Prometheus scrapes. */
export interface MetricSources {
  subscriptions: () => number;
  /** Bytes queued for slow subscribers. */
  queuedBytes: () => number;
  /** Bytes of documents the APQ store keeps. */
  apqBytes: () => number;
  /** Topics with subscribers in this process by kind: `list` (one per credential scope), `metrics` (per scope, pool and window). */
  pollers: () => Record<string, number>;
  /** Topics this process polls for the deployment, by kind. */
  leases: () => Record<string, number>;
  /** Credentials whose Run:ai circuit is open. */
  openCircuits: () => number;
  /** Credentials backing off after a 429. */
  backingOff: () => number;
  /** Present when Redis carries refresh signals between replicas. */
  redisConnected?: (() => boolean) | undefined;
  /** Answers and bytes the response cache holds in this process; undefined when they live in Redis. */
  responseCache?: (() => { entries: number; bytes: number } | undefined) | undefined;
}

/** Operation names are client-chosen: anything unusual is folded into one label value. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Distinct operation names that get series of their own; later ones count as `other`. */
const MAX_OPERATION_NAMES = 100;

export type OperationOutcome = 'success' | 'partial' | 'error' | 'invalid';

const METRICS_CHANNEL = 'nodepool-gateway:metrics';

interface MachineMetricsMessage {
  channel: typeof METRICS_CHANNEL;
  id: number;
  /** The primary's answer: the machine's exposition, or why there is none. */
  text?: string;
  error?: string;
}

const isMetricsMessage = (message: unknown): message is MachineMetricsMessage =>
  (message as MachineMetricsMessage | null)?.channel === METRICS_CHANNEL;

/**
 * A cluster worker's registry: it holds this worker's metrics, and a scrape
 * answers for the whole machine. Round-robin hands each scrape to any worker,
 * so each one asks the primary, which collects every worker's registry
 * (prom-client's AggregatorRegistry: counters and histograms summed; gauges
 * summed unless they say otherwise). Should the primary not answer within 5 s
 * (prom-client's own deadline), the scrape shows this worker alone.
 */
class MachineRegistry extends AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'> {
  private requests = 0;

  constructor() {
    super(); // installs the worker's answer to the primary's collection requests
    AggregatorRegistry.setRegistries([this]);
  }

  override async metrics(): Promise<string> {
    const id = ++this.requests;
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => done(undefined, 'no answer from the primary'), 6_000);
      const done = (text: string | undefined, error?: string) => {
        clearTimeout(timer);
        process.off('message', receive);
        if (text === undefined) reject(new Error(error));
        else resolve(text);
      };
      const receive = (message: unknown) => {
        if (isMetricsMessage(message) && message.id === id) done(message.text, message.error);
      };
      process.on('message', receive);
    });
    process.send?.({ channel: METRICS_CHANNEL, id } satisfies MachineMetricsMessage);
    return answer.catch(() => super.metrics());
  }
}

/**
 * The primary's end of machine-wide metrics: answers a worker's request with
 * every worker's metrics aggregated. Call once in the primary.
 */
export function serveMachineMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMetricsMessage(message) || message.text !== undefined) return;
    const reply = (answer: Partial<MachineMetricsMessage>) => {
      if (worker.isConnected()) worker.send({ channel: METRICS_CHANNEL, id: message.id, ...answer });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}

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
    // Across cluster workers a gauge is summed, unless it names another aggregation.
    const gauge = (name: string, help: string, read: () => number, aggregator: 'sum' | 'min' = 'sum') =>
      new Gauge({
        name,
        help,
        aggregator,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    gauge('subscriptions_active', 'Open GraphQL subscriptions (WebSocket and SSE).', sources.subscriptions);
    gauge('apq_store_bytes', 'Bytes of documents kept for automatic persisted queries.', sources.apqBytes);
    gauge(
      'live_queued_bytes',
      'Bytes of events queued for subscribers that read slower than events come, or being written out to them.',
      sources.queuedBytes,
    );
    new Gauge({
      name: 'pollers_active',
      help: 'Shared pollers this process delivers by kind: list (one per credential scope), metrics (one per scope, pool and window), whichever process of the deployment polls them; per cluster worker, summed.',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        for (const [kind, count] of Object.entries(sources.pollers())) this.set({ kind }, count);
      },
    });
    new Gauge({
      name: 'live_leases_held',
      help: 'Topics this process polls for the whole deployment (it holds their lease, or polls alone while the store is unreachable), by kind. Summed over every process of the deployment: the topics polled, once each.',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        for (const [kind, count] of Object.entries(sources.leases())) this.set({ kind }, count);
      },
    });
    const { redisConnected } = sources;
    if (redisConnected) {
      gauge(
        'redis_connected',
        'Whether refresh signals reach the other replicas through Redis (1) or stay local (0).',
        () => (redisConnected() ? 1 : 0),
        'min',
      );
    }
    const { responseCache } = sources;
    if (responseCache) {
      gauge(
        'response_cache_entries',
        'Answers the response cache holds in this process (the memory store).',
        () => responseCache()?.entries ?? 0,
      );
      gauge(
        'response_cache_bytes',
        'Bytes of answers the response cache holds in this process (the memory store).',
        () => responseCache()?.bytes ?? 0,
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

import { Gauge, type Registry } from 'prom-client';

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

/** The gauges Prometheus reads from the running gateway's parts at each scrape. */
export function registerGauges(registry: Registry, sources: MetricSources): void {
  // Across cluster workers a gauge is summed, unless it names another aggregation.
  const gauge = (name: string, help: string, read: () => number, aggregator: 'sum' | 'min' = 'sum') =>
    new Gauge({
      name,
      help,
      aggregator,
      registers: [registry],
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
    registers: [registry],
    collect() {
      for (const [kind, count] of Object.entries(sources.pollers())) this.set({ kind }, count);
    },
  });
  new Gauge({
    name: 'live_leases_held',
    help: 'Topics this process polls for the whole deployment (it holds their lease, or polls alone while the store is unreachable), by kind. Summed over every process of the deployment: the topics polled, once each.',
    labelNames: ['kind'] as const,
    registers: [registry],
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

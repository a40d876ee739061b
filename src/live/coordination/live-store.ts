/**
 * What the processes of a deployment share about their live pollers: who
 * polls a topic (a lease), what it saw last (a snapshot), and what it
 * announced (a bounded, ordered log per topic, and a broadcast to every
 * process). A topic is a credential scope's pool list, or one metrics
 * window of a pool. Only scope hashes, events and pools go in: never a
 * token.
 *
 * Three kinds hold it: memory (memory-store.ts: one process, and the
 * cluster primary for its workers: cluster-store.ts), and Redis for
 * replicas (redis-store.ts).
 */

/** One event of a topic: its place in the topic's log (its cursor) and its encoded event. */
export interface TopicEntry {
  id: string;
  data: string;
}

/** How much of a topic's log is kept: its newest `length` entries, none older than `maxAgeMs`. */
export interface LogLimits {
  length: number;
  maxAgeMs: number;
}

/** What one poll publishes: its events, whether they go in the log, and the poller's state after it. */
export interface Publication {
  topic: string;
  events: string[];
  /** Keep the events in the topic's log (for replay); metrics are not logged. */
  log?: LogLimits | undefined;
  /** The poller's state after these events, for whoever polls next; stored with them, atomically. */
  snapshot?: string | undefined;
  /** How long an unrenewed snapshot is kept. */
  snapshotTtlMs?: number | undefined;
}

/** The shared state, as one process sees it. Methods reject when the store cannot be reached. */
export interface LiveStore {
  /** Shared with other processes (a lease can be lost to one); false for a process on its own. */
  readonly shared: boolean;
  /** Whether the store answers now. */
  readonly connected: boolean;
  /** Takes the lease, or renews it if this process holds it: true when this process holds it now. */
  claim(lease: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, if this process holds it. */
  release(lease: string): Promise<void>;
  /** Logs the events (if asked), stores the snapshot, and broadcasts them to every process, in one step. */
  publish(publication: Publication): Promise<void>;
  /** The snapshot the last poller of `topic` left, if any, and when a poll last found it current. */
  snapshot(topic: string): Promise<StoredSnapshot | undefined>;
  /**
   * The logged entries after `cursor`, oldest first; `undefined` when the log
   * no longer holds `cursor` itself (trimmed, expired, or another log's).
   */
  replay(topic: string, cursor: string): Promise<TopicEntry[] | undefined>;
  /** The newest logged entry's cursor, if any. */
  newest(topic: string): Promise<string | undefined>;
  /** Whether `cursor` names an entry of one of this store's logs (else it is another store's). */
  owns(cursor: string): boolean;
  /** Registers wishes (metric types) for the poller of `topic`, for `ttlMs` unless renewed. */
  want(topic: string, wishes: readonly string[], ttlMs: number): Promise<void>;
  /** Every live wish of every process for `topic`. */
  wanted(topic: string): Promise<string[]>;
  /** Every process's publications, this one's included, in the order each topic's poller published them. */
  listen(handler: (topic: string, entries: TopicEntry[]) => void): void;
  close(): Promise<void>;
}

/** A poller's state as stored: `confirmedAt` is when a poll last found it current (epoch ms). */
export interface StoredSnapshot {
  data: string;
  confirmedAt: number;
}

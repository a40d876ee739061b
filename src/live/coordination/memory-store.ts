/**
 * The live store in one process's memory: a process on its own, and the
 * cluster primary for its workers (cluster-store.ts).
 */
import { randomUUID } from 'node:crypto';
import type { LiveStore, LogLimits, Publication, StoredSnapshot, TopicEntry } from './live-store.js';

interface Logged {
  entries: TopicEntry[];
  at: number[];
  limits: LogLimits;
  /** What its entries hold (UTF-16 code units of their ids and data: about their bytes). */
  bytes: number;
}

/** What the logs of one store hold together at most, however many credentials have subscribers. */
export const MAX_LOG_BYTES = 64 * 1024 * 1024;
/** What the snapshots (pool lists) of one store hold together at most. */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

const entryBytes = (entry: TopicEntry) => entry.id.length + entry.data.length;

/**
 * Leases, snapshots, logs and wishes in this process's memory, with expiry
 * read from the clock. Cursors are `<store id>.<sequence>`: a cursor of
 * another store, or of this one before a restart, is not found. The logs
 * hold `maxLogBytes` together: past it, the largest loses its oldest events
 * (a resume from one of them gets RESYNC). The snapshots hold
 * `maxSnapshotBytes` together: past it, the least recently written go (a
 * poller that would have started from one starts afresh, with a gap).
 */
export class MemoryStore {
  readonly id = randomUUID().slice(0, 8);
  private seq = 0;
  private swept = 0;
  private readonly leases = new Map<string, { owner: string; until: number }>();
  private readonly snapshots = new Map<string, { data: string; until: number; confirmedAt: number }>();
  private readonly logs = new Map<string, Logged>();
  private readonly wishes = new Map<string, Map<string, number>>();
  private readonly listeners: ((topic: string, entries: TopicEntry[]) => void)[] = [];
  private logBytes = 0;
  private snapshotBytes = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxLogBytes = MAX_LOG_BYTES,
    private readonly maxSnapshotBytes = MAX_SNAPSHOT_BYTES,
  ) {}

  /** What the logs hold now (UTF-16 code units). */
  get loggedBytes(): number {
    return this.logBytes;
  }

  /** What the snapshots hold now (UTF-16 code units). */
  get snapshottedBytes(): number {
    return this.snapshotBytes;
  }

  claim(lease: string, owner: string, ttlMs: number): boolean {
    this.sweep();
    const held = this.leases.get(lease);
    if (held && held.owner !== owner && held.until > this.now()) return false;
    this.leases.set(lease, { owner, until: this.now() + ttlMs });
    return true;
  }

  release(lease: string, owner: string): void {
    if (this.leases.get(lease)?.owner === owner) this.leases.delete(lease);
  }

  /** Every lease `owner` holds is given up (its process is gone). */
  releaseAll(owner: string): void {
    for (const [lease, held] of this.leases) if (held.owner === owner) this.leases.delete(lease);
  }

  publish(publication: Publication): TopicEntry[] {
    this.sweep();
    const { topic, log } = publication;
    const entries = publication.events.map((data) => ({ id: `${this.id}.${++this.seq}`, data }));
    if (log && entries.length > 0) {
      const logged = this.logs.get(topic) ?? { entries: [], at: [], limits: log, bytes: 0 };
      logged.limits = log;
      this.logs.set(topic, logged);
      for (const entry of entries) {
        logged.entries.push(entry);
        logged.at.push(this.now());
        logged.bytes += entryBytes(entry);
        this.logBytes += entryBytes(entry);
      }
      this.trim(logged);
      this.fitLogs();
    }
    const ttl = publication.snapshotTtlMs ?? log?.maxAgeMs ?? 60_000;
    const data = publication.snapshot ?? this.snapshot(topic)?.data;
    if (data !== undefined)
      this.keepSnapshot(topic, { data, until: this.now() + ttl, confirmedAt: this.now() });
    if (entries.length > 0) for (const listener of this.listeners) listener(topic, entries);
    return entries;
  }

  snapshot(topic: string): StoredSnapshot | undefined {
    const held = this.snapshots.get(topic);
    if (held && held.until <= this.now()) this.dropSnapshot(topic);
    const kept = this.snapshots.get(topic);
    return kept && { data: kept.data, confirmedAt: kept.confirmedAt };
  }

  replay(topic: string, cursor: string): TopicEntry[] | undefined {
    const logged = this.logs.get(topic);
    if (!logged) return undefined;
    this.trim(logged);
    const at = logged.entries.findIndex((entry) => entry.id === cursor);
    return at < 0 ? undefined : logged.entries.slice(at + 1);
  }

  newest(topic: string): string | undefined {
    const logged = this.logs.get(topic);
    if (logged) this.trim(logged);
    return this.logs.get(topic)?.entries.at(-1)?.id;
  }

  owns(cursor: string): boolean {
    return cursor.startsWith(`${this.id}.`);
  }

  want(topic: string, owner: string, wishes: readonly string[], ttlMs: number): void {
    const held = this.wishes.get(topic) ?? new Map<string, number>();
    this.wishes.set(topic, held);
    for (const wish of wishes) held.set(`${owner}|${wish}`, this.now() + ttlMs);
  }

  wanted(topic: string): string[] {
    const held = this.wishes.get(topic);
    if (!held) return [];
    const now = this.now();
    const live = new Set<string>();
    for (const [member, until] of held) {
      if (until <= now) held.delete(member);
      else live.add(member.slice(member.indexOf('|') + 1));
    }
    if (held.size === 0) this.wishes.delete(topic);
    return [...live];
  }

  listen(handler: (topic: string, entries: TopicEntry[]) => void): void {
    this.listeners.push(handler);
  }

  /**
   * Forgets what expired, at most once a second: topics come and go with
   * credentials, and a topic nobody polls any more must not stay.
   */
  private sweep(): void {
    const now = this.now();
    if (now - this.swept < 1_000) return;
    this.swept = now;
    for (const [lease, held] of this.leases) if (held.until <= now) this.leases.delete(lease);
    for (const [topic, held] of this.snapshots) if (held.until <= now) this.dropSnapshot(topic);
    for (const [topic, logged] of this.logs) {
      this.trim(logged);
      if (logged.entries.length === 0) this.logs.delete(topic);
    }
    for (const topic of [...this.wishes.keys()]) this.wanted(topic);
  }

  /** Keeps a topic's snapshot, the newest last; the oldest go while all of them hold too much. */
  private keepSnapshot(topic: string, snapshot: { data: string; until: number; confirmedAt: number }): void {
    this.dropSnapshot(topic);
    this.snapshots.set(topic, snapshot);
    this.snapshotBytes += snapshot.data.length;
    for (const oldest of this.snapshots.keys()) {
      if (this.snapshotBytes <= this.maxSnapshotBytes) return;
      this.dropSnapshot(oldest);
    }
  }

  private dropSnapshot(topic: string): void {
    const held = this.snapshots.get(topic);
    if (!held) return;
    this.snapshotBytes -= held.data.length;
    this.snapshots.delete(topic);
  }

  /** Keeps the log within its limits. */
  private trim(logged: Logged): void {
    const oldest = this.now() - logged.limits.maxAgeMs;
    let drop = Math.max(0, logged.entries.length - logged.limits.length);
    while (drop < logged.at.length && (logged.at[drop] ?? 0) < oldest) drop++;
    this.drop(logged, drop);
  }

  /** The oldest `count` entries of a log are gone. */
  private drop(logged: Logged, count: number): void {
    if (count <= 0) return;
    for (const entry of logged.entries.splice(0, count)) {
      logged.bytes -= entryBytes(entry);
      this.logBytes -= entryBytes(entry);
    }
    logged.at.splice(0, count);
  }

  /** Keeps every log together within `maxLogBytes`: the largest gives up its oldest events first. */
  private fitLogs(): void {
    while (this.logBytes > this.maxLogBytes) {
      let largest: Logged | undefined;
      for (const logged of this.logs.values()) if (!largest || logged.bytes > largest.bytes) largest = logged;
      if (!largest || largest.entries.length === 0) return;
      this.drop(largest, Math.max(1, Math.ceil(largest.entries.length / 10)));
    }
  }
}

/**
 * A process on its own (one worker, no Redis): a {@link MemoryStore} of its
 * own. Its lease is always its own, so it polls as it always did.
 */
export function ownStore(memory = new MemoryStore()): LiveStore {
  const owner = randomUUID();
  return {
    shared: false,
    connected: true,
    claim: async (lease, ttlMs) => memory.claim(lease, owner, ttlMs),
    release: async (lease) => memory.release(lease, owner),
    publish: async (publication) => {
      memory.publish(publication);
    },
    snapshot: async (topic) => memory.snapshot(topic),
    replay: async (topic, cursor) => memory.replay(topic, cursor),
    newest: async (topic) => memory.newest(topic),
    owns: (cursor) => memory.owns(cursor),
    want: async (topic, wishes, ttlMs) => memory.want(topic, owner, wishes, ttlMs),
    wanted: async (topic) => memory.wanted(topic),
    listen: (handler) => memory.listen(handler),
    close: async () => {},
  };
}

import type { ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Where the response cache keeps answers, each with its tags (cache-tags.ts)
 * by which it is dropped. `@envelop/response-cache` reaches a store through
 * the adapter of response-cache.ts.
 */
export interface ResponseStore {
  get(id: string): Promise<ExecutionResult | null> | ExecutionResult | null;
  set(id: string, result: ExecutionResult, tags: readonly string[], ttlMs: number): Promise<void> | void;
  /** Drops every answer holding one of these tags; resolves how many went. */
  drop(tags: readonly string[]): Promise<number>;
  /** Answers and bytes held in this process; undefined for a store that lives elsewhere (Redis). */
  readonly usage: { entries: number; bytes: number } | undefined;
  close(): Promise<void>;
}

/** What the memory store keeps by default, per process (tuning knobs: docs/configuration.md). */
export const MEMORY_STORE_DEFAULTS = {
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  /** Also the largest answer the Redis store keeps. */
  maxEntryBytes: 1024 * 1024,
} as const;

export interface MemoryStoreLimits {
  maxEntries: number;
  maxBytes: number;
  /** A larger answer is not kept. */
  maxEntryBytes: number;
}

interface Entry {
  /** The answer as JSON: its size is known, and every hit gets an object of its own to shape. */
  json: string;
  tags: readonly string[];
}

/** What an entry costs beyond its JSON: the key, its tags and their index (an estimate). */
function entryBytes(id: string, entry: Entry): number {
  let bytes = entry.json.length + id.length + 64;
  for (const tag of entry.tags) bytes += 2 * tag.length + 48;
  return bytes;
}

/**
 * The response cache in this process: lru-cache bounded in entries and in
 * bytes (the least recently used answers go first, expired ones when met),
 * with an index from each tag to the answers holding it, so one pool's
 * change drops exactly the answers that showed it.
 */
export function createMemoryStore(limits: MemoryStoreLimits): ResponseStore {
  const byTag = new Map<string, Set<string>>();
  const untag = (id: string, tags: readonly string[]) => {
    for (const tag of tags) {
      const ids = byTag.get(tag);
      ids?.delete(id);
      if (ids?.size === 0) byTag.delete(tag);
    }
  };
  const entries = new LRUCache<string, Entry>({
    max: limits.maxEntries,
    maxSize: limits.maxBytes,
    maxEntrySize: limits.maxEntryBytes,
    sizeCalculation: (entry, id) => entryBytes(id, entry),
    allowStale: false,
    dispose: (entry, id) => untag(id, entry.tags),
  });
  const drop = (tags: Iterable<string>): number => {
    let dropped = 0;
    for (const tag of tags) {
      for (const id of [...(byTag.get(tag) ?? [])]) if (entries.delete(id)) dropped++;
    }
    return dropped;
  };
  return {
    set(id, result, given, ttl) {
      const tags = [...new Set(given)];
      const entry: Entry = { json: JSON.stringify(result), tags };
      entries.set(id, entry, { ttl });
      // Too large, or larger than the whole budget: lru-cache keeps nothing, and there is nothing to index.
      if (entries.peek(id) !== entry) return;
      for (const tag of tags) {
        const ids = byTag.get(tag) ?? new Set<string>();
        byTag.set(tag, ids.add(id));
      }
    },
    get(id) {
      const entry = entries.get(id);
      return entry ? (JSON.parse(entry.json) as ExecutionResult) : null;
    },
    async drop(tags) {
      return drop(tags);
    },
    get usage() {
      return { entries: entries.size, bytes: entries.calculatedSize };
    },
    async close() {
      entries.clear();
    },
  };
}

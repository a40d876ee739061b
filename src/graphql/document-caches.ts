import type { DocumentNode } from 'graphql';
import { visit } from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * What a parsed document holds beyond its source, per AST node: the node, its
 * location and the lexer tokens the location keeps (measured at about 300
 * bytes on graphql 16, rounded up).
 */
const BYTES_PER_NODE = 320;
/** What a parse error holds beyond the source it keeps: its message, locations and stack. */
const BYTES_PER_ERROR = 2_048;

/** What documents callers send may hold in this process's parse caches at most. */
export const DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024;
/** A document whose estimate is larger is parsed each time it comes, never kept. */
export const MAX_CACHED_DOCUMENT_BYTES = 1024 * 1024;

/**
 * About how many bytes a parsed document keeps alive: its source twice (the
 * cache's key and the source its locations point to, two bytes a character
 * at worst) and each of its nodes.
 */
export function documentBytes(source: string, document: DocumentNode): number {
  let nodes = 0;
  visit(document, {
    enter() {
      nodes++;
    },
  });
  return 4 * source.length + nodes * BYTES_PER_NODE;
}

/** The caches yoga's parse step takes (`parserAndValidationCache`), bounded in bytes. */
export interface DocumentCaches {
  documentCache: { get(key: string): DocumentNode | undefined; set(key: string, value: DocumentNode): void };
  errorCache: { get(key: string): unknown; set(key: string, value: unknown): void };
  /** The estimate of what both hold now. */
  readonly bytes: number;
}

/**
 * Parsed documents and parse errors, kept by their text for the next
 * request that sends it, within `maxBytes` together (least recently used go
 * first) and never one past `maxDocumentBytes`. yoga's own caches count
 * entries (1,000 each), and a document may be as large as a request body;
 * its validation cache is keyed by the parsed document, so it lets go of
 * what these let go. One instance serves every yoga of the process.
 */
export function createDocumentCaches({
  maxBytes = DOCUMENT_CACHE_BYTES,
  maxDocumentBytes = MAX_CACHED_DOCUMENT_BYTES,
}: {
  maxBytes?: number;
  maxDocumentBytes?: number;
} = {}): DocumentCaches {
  const limits = { maxSize: maxBytes / 2, maxEntrySize: maxDocumentBytes };
  const documents = new LRUCache<string, DocumentNode>({
    ...limits,
    sizeCalculation: (document, source) => documentBytes(source, document),
  });
  const errors = new LRUCache<string, object>({
    ...limits,
    sizeCalculation: (_error, source) => 4 * source.length + BYTES_PER_ERROR,
  });
  return {
    documentCache: {
      get: (key) => documents.get(key),
      set: (key, value) => {
        documents.set(key, value);
      },
    },
    errorCache: {
      get: (key) => errors.get(key),
      set: (key, value) => {
        if (typeof value === 'object' && value !== null) errors.set(key, value);
      },
    },
    get bytes() {
      return documents.calculatedSize + errors.calculatedSize;
    },
  };
}

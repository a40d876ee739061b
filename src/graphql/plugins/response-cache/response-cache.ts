import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type Cache, type CacheEntityRecord, useResponseCache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../../context.js';
import { analysisOf } from '../../operation-analysis.js';
import { stateOf } from '../../operation-state.js';
import { listTag, poolTag, tagsOf } from './cache-tags.js';
import type { ResponseStore } from './response-store.js';

/**
 * The longest an answer with metrics is kept by default: within it, one
 * sampling step of the window asked (a tuning knob: docs/configuration.md).
 */
export const DEFAULT_METRICS_TTL_MS = 60_000;

export interface ResponseCacheOptions {
  store: ResponseStore;
  /** TTL of answers with pool data (pools, lists, counts), ms; 0: nothing is cached. */
  ttlMs: number;
  /** The longest a metrics answer is kept, ms; within it, one sampling step of its window. */
  metricsTtlMs: number;
}

/** Where an invalidation came from, for Prometheus. */
export type InvalidationSource = 'mutation' | 'watcher' | 'remote';

/** A change to one scope's pools: a pool, or (without `poolId`) the scope's lists only. */
export interface PoolsChanged {
  scope: string;
  poolId?: string | undefined;
}

interface CacheEvents {
  /** A query answered from the cache. */
  hit: [];
  miss: [];
  invalidation: [source: InvalidationSource, dropped: number];
}

/** What the cache knows of one operation while it runs. */
interface Run {
  /** The invalidations seen when it started: an answer older than a later one is not kept. */
  epoch: number;
  listsAtRoot: boolean;
  /**
   * Whether the deployment believes the operation's token now (Run:ai accepted it lately, nothing refused
   * it since): only then is a kept answer served. A kept answer proves nothing about a token.
   */
  believed: boolean;
}

/** What `@envelop/response-cache` adds to a result with `includeExtensionMetadata`, plus the expiry we store. */
interface Metadata {
  hit?: boolean;
  didCache?: boolean;
  ttl?: number;
  expiresAt?: number;
}

/**
 * The per-caller response cache: `@envelop/response-cache` in the
 * pipeline, after every check (credentials, argument rules, limits and the
 * call budget apply to a cached answer as to any other), keyed by the
 * credential scope (the token's hash), so that two tokens never share an
 * answer. Queries only; an answer with errors (PARTIAL_RESULT included) is
 * never kept. Answers are dropped when a mutation or a list watcher sees
 * their pools change ({@link ResponseCache.drop}).
 */
export class ResponseCache extends EventEmitter<CacheEvents> {
  private epoch = 0;
  private readonly runs = new WeakMap<object, Run>();

  constructor(private readonly options: ResponseCacheOptions) {
    super();
  }

  /** Whether answers are kept at all (RESPONSE_CACHE_TTL_SECONDS > 0). */
  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** Answers and bytes held in this process (the memory store). */
  get usage(): { entries: number; bytes: number } | undefined {
    return this.options.store.usage;
  }

  /**
   * The pipeline's plugins, in order: the run's facts, the response cache,
   * then its metadata turned into `Cache-Control` (HTTP) and counted. With
   * the cache off only the last remains: answers still say how they may be
   * cached.
   */
  plugins(): Plugin<GatewayContext>[] {
    return this.enabled ? [this.tracking(), this.responseCache(), this.shaping()] : [this.shaping()];
  }

  /**
   * Drops the answers a change made stale: those showing the pool, for
   * every scope, and the scope's lists and counts. Resolves how many went.
   */
  async drop(change: PoolsChanged, source: InvalidationSource): Promise<number> {
    // Before the store answers: an operation under way keeps nothing it read before the change.
    this.epoch++;
    const tags = [listTag(change.scope), ...(change.poolId ? [poolTag(change.poolId)] : [])];
    const dropped = await this.options.store.drop(tags);
    this.emit('invalidation', source, dropped);
    return dropped;
  }

  async close(): Promise<void> {
    await this.options.store.close();
  }

  /** Notes when each query started, whether it lists pools at its root, and whether its token is believed. */
  private tracking(): Plugin<GatewayContext> {
    return {
      onExecute: async ({ args }) => {
        const epoch = this.epoch;
        const believed = await args.contextValue.credentialsBelieved();
        this.runs.set(args.contextValue, {
          epoch,
          listsAtRoot: analysisOf(args)?.listsAtRoot ?? true,
          believed,
        });
      },
    };
  }

  private responseCache(): Plugin<GatewayContext> {
    const { ttlMs, metricsTtlMs } = this.options;
    // An envelop plugin: yoga's context type adds the request, which this one does not read.
    return useResponseCache<GatewayContext>({
      cache: (context) => this.storeFor(context as GatewayContext),
      session: (context) => context.scope ?? null,
      // Without credentials nothing runs, and nothing is kept: a refusal is never an answer to share.
      enabled: (context) => context.token !== undefined && context.scope !== undefined,
      ttl: ttlMs,
      // Mutations drop what they change through the context (ctx.onPoolChanged), with Run:ai's ids.
      invalidateViaMutation: false,
      includeExtensionMetadata: true,
      // The plugin's default hashes with WebCrypto, a round trip through libuv's thread pool for every query:
      // node:crypto's synchronous hash costs 11% less CPU per distinct-caller query (1,046 against 1,170 µs).
      buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId }) =>
        createHash('sha256')
          .update(
            `${documentString}|${operationName ?? ''}|${JSON.stringify(variableValues ?? {})}|${sessionId ?? ''}`,
          )
          .digest('base64url'),
      shouldCacheResult: ({ result }) => !result.errors?.length,
      // 0 keeps nothing, and the answer then says so (`no-cache`): an answer made without Run:ai (it cost
      // nothing, and `{ __typename }` or `_service` is not worth keeping), or read before a change that
      // came while it ran.
      onTtl: ({ ttl, context }) => {
        const run = this.runs.get(context);
        const state = stateOf(context);
        if (!run || run.epoch !== this.epoch || !state?.upstreamCalls) return 0;
        const trueFor = state.trueForMs;
        return Math.floor(trueFor === undefined ? ttl : Math.min(ttl, trueFor, metricsTtlMs));
      },
    }) as Plugin<GatewayContext>;
  }

  /**
   * The store as `@envelop/response-cache` sees it for one operation: a kept answer only for a believed
   * token; its own answer kept with the tags of what it shows.
   */
  private storeFor(context: GatewayContext): Cache {
    const { store } = this.options;
    const run = this.runs.get(context);
    return {
      get: (id) => (run?.believed ? store.get(id) : null),
      // Mutations drop what they change through the context with Run:ai's ids (invalidateViaMutation: false).
      invalidate: () => {},
      set: (id, result, entities: Iterable<CacheEntityRecord>, ttl) => {
        if (!run || context.scope === undefined) return;
        const stored: ExecutionResult = {
          ...result,
          extensions: { ...result.extensions, responseCache: { expiresAt: Date.now() + ttl } },
        };
        return store.set(id, stored, tagsOf(entities, context.scope, run.listsAtRoot), ttl);
      },
    };
  }

  /**
   * Takes the cache's metadata out of every result (any transport), counts
   * hits and misses, and over HTTP says how the answer may be cached:
   * `private, max-age=<seconds left>` for a kept answer, `private, no-cache`
   * for another query's, `public, no-cache` for introspection alone (the
   * same for every caller), `no-store` for mutations and errors. The ETag
   * and 304 are the edge's (src/graphql/plugins/use-http-caching.ts).
   */
  private shaping(): Plugin<GatewayContext> {
    return {
      onExecute: ({ args }) => {
        const analysis = analysisOf(args);
        const operation = analysis?.operation.operation;
        const introspection = analysis?.introspectionOnly === true;
        const overHttp = 'request' in args.contextValue;
        return {
          onExecuteDone: ({ result, setResult }) => {
            if (isAsyncIterable(result)) {
              return {
                onNext: ({ result: payload, setResult: setPayload }) => {
                  if (payload.extensions?.['responseCache']) setPayload(withoutMetadata(payload).result);
                },
              };
            }
            const { result: shaped, metadata } = withoutMetadata(result);
            if (metadata?.hit) this.emit('hit');
            else if (metadata) this.emit('miss');
            if (!overHttp) {
              if (metadata) setResult(shaped);
              return undefined;
            }
            const control =
              operation !== 'query' || result.errors?.length
                ? 'no-store'
                : introspection
                  ? 'public, no-cache'
                  : cacheControlOf(metadata);
            const http = (shaped.extensions?.['http'] ?? {}) as { headers?: Record<string, string> };
            setResult({
              ...shaped,
              extensions: {
                ...shaped.extensions,
                http: { ...http, headers: { ...http.headers, 'cache-control': control } },
              },
            });
            return undefined;
          },
        };
      },
    };
  }
}

/** `Cache-Control` of a query's answer: how long it stays in the cache, or revalidate each time. */
function cacheControlOf(metadata: Metadata | undefined): string {
  if (metadata?.hit && metadata.expiresAt !== undefined) {
    return `private, max-age=${Math.max(0, Math.floor((metadata.expiresAt - Date.now()) / 1000))}`;
  }
  if (metadata?.didCache && metadata.ttl !== undefined)
    return `private, max-age=${Math.floor(metadata.ttl / 1000)}`;
  return 'private, no-cache';
}

/** The result without the cache's metadata (and without `extensions` if nothing else is left). */
function withoutMetadata<R extends ExecutionResult>(
  result: R,
): { result: R; metadata: Metadata | undefined } {
  const metadata = result.extensions?.['responseCache'] as Metadata | undefined;
  if (!metadata) return { result, metadata };
  const { responseCache: _metadata, ...extensions } = result.extensions ?? {};
  const { extensions: _all, ...rest } = result;
  return {
    result: (Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest) as R,
    metadata,
  };
}

import type { NodePoolsApi } from '../../upstream/bind-api.js';
import { isUpstreamError } from '../../upstream/errors.js';
import type { NodePool } from '../../upstream/models.js';
import { nextPollDelay } from './backoff.js';
import { detached } from './detached.js';
import { diffPhases, type PhaseChange, STABLE_PHASES } from './phase-diff.js';
import { diffPools, type PoolChange } from './pool-diff.js';

/** Run:ai's largest page. */
const PAGE = 500;

/** What a watcher tells its listeners. */
/** What a mutation made through the gateway did to a pool (a watcher then polls until it settles). */
export type MutationKind = 'created' | 'updated' | 'deleted';

export type WatcherEvent =
  | { kind: 'phase'; change: PhaseChange }
  | { kind: 'pool'; change: PoolChange }
  /** The credential stopped working (401/403): its subscriptions end with this code. */
  | { kind: 'end'; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

export interface ListWatcherOptions {
  api: NodePoolsApi;
  intervalMs: number;
  /** Delays of the polls that follow a mutation, until the changed pool settles. */
  settleDelaysMs: readonly number[];
  /** Upper bound of the back-off after failed polls. */
  maxBackoffMs: number;
  /**
   * Each poll's events, in order (none when nothing changed), with the pool
   * list they lead to; an `end` comes alone.
   */
  publish: (events: WatcherEvent[], pools?: ReadonlyMap<string, NodePool>) => void;
  /** The pool list the last poller of this scope saw: changes since are announced on the first poll. */
  seed?: ReadonlyMap<string, NodePool> | undefined;
  onPoll?: (outcome: 'ok' | 'error') => void;
  warn?: (obj: object, msg: string) => void;
  now?: () => Date;
}

/**
 * Polls the whole pool list (`GET /api/v1/node-pools`) for one credential
 * scope and publishes what changed: pools created, updated (with the fields
 * that changed) and deleted, and phase changes. One watcher serves every
 * subscriber of its scope, of either subscription; polls never overlap (a
 * refresh asked during a poll runs right after it). Failed polls back off
 * with jitter (backoff.ts).
 */
export class ListWatcher {
  private known: ReadonlyMap<string, NodePool> | undefined;
  /** The events of the poll under way, published together when it ends. */
  private batch: WatcherEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private lastError: unknown;
  private stopped = false;
  /** Pools a mutation created: announced as new even if the first snapshot already held them. */
  private readonly created = new Set<string>();
  private readonly announced = new Set<string>();
  /** Pools announced as created (while they exist), so a late `created` refresh does not announce them twice. */
  private readonly poolsAnnounced = new Set<string>();
  /** Pools a mutation changed, awaiting a stable phase, with the step of their settling schedule. */
  private readonly settling = new Map<string, number>();
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly baseline: Promise<void>;
  private resolveBaseline!: () => void;

  constructor(private readonly options: ListWatcherOptions) {
    this.baseline = new Promise((resolve) => {
      this.resolveBaseline = resolve;
    });
    this.known = options.seed;
    void this.poll();
  }

  /** Resolves once the first snapshot is taken (or failed): changes are measured against it. */
  ready(): Promise<void> {
    return this.baseline;
  }

  /**
   * A mutation changed `poolId`: poll now, then on the settling schedule
   * until the pool reaches a stable phase or disappears.
   */
  refresh(poolId: string | undefined, change: MutationKind = 'updated'): void {
    if (this.stopped) return;
    if (poolId) {
      if (change === 'created') this.created.add(poolId);
      this.settling.set(poolId, 0);
    }
    void this.poll();
  }

  /** Stops polling; a poll in flight finishes but publishes nothing. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.settleTimer);
    this.resolveBaseline();
  }

  private poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    clearTimeout(this.timer);
    this.polling = detached(() => this.pollOnce()).finally(() => {
      this.polling = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        void this.poll();
      } else {
        this.schedule();
      }
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    let pools: Map<string, NodePool>;
    try {
      pools = await this.listAll();
    } catch (error) {
      if (this.stopped) return;
      this.options.onPoll?.('error');
      this.failures++;
      this.lastError = error;
      if (isUpstreamError(error) && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')) {
        this.options.publish([{ kind: 'end', code: error.code, message: error.message }]);
        this.stop();
        return;
      }
      this.options.warn?.(
        { code: isUpstreamError(error) ? error.code : 'UNKNOWN', failures: this.failures },
        'pool list poll failed; backing off',
      );
      if (!this.known) this.resolveBaseline();
      return;
    }
    if (this.stopped) return;
    this.options.onPoll?.('ok');
    this.failures = 0;
    const now = this.options.now?.() ?? new Date();
    this.batch = [];
    if (this.known) {
      for (const change of diffPools(this.known, pools, now)) this.emitPool(change);
      for (const change of diffPhases(this.known, pools, now)) this.emit(change);
    }
    // A pool created through the gateway while the first snapshot was taken is announced all the same.
    for (const id of this.created) {
      const pool = pools.get(id);
      if (pool && !this.poolsAnnounced.has(id)) {
        this.emitPool({
          kind: 'CREATED',
          poolId: id,
          pool,
          changedFields: Object.keys(pool).sort(),
          observedAt: now,
        });
      }
      if (pool?.phase && !this.announced.has(id)) {
        this.emit({ poolId: id, pool, previousPhase: null, phase: pool.phase, observedAt: now });
      }
    }
    this.created.clear();
    for (const id of this.announced) if (!pools.has(id)) this.announced.delete(id);
    for (const id of this.poolsAnnounced) if (!pools.has(id)) this.poolsAnnounced.delete(id);
    this.known = pools;
    const batch = this.batch;
    this.batch = [];
    this.options.publish(batch, pools);
    this.resolveBaseline();
    for (const id of this.settling.keys()) {
      const pool = pools.get(id);
      if (!pool || STABLE_PHASES.has(pool.phase)) this.settling.delete(id);
    }
  }

  private emit(change: PhaseChange): void {
    if (change.previousPhase === null) this.announced.add(change.poolId);
    this.batch.push({ kind: 'phase', change });
  }

  private emitPool(change: PoolChange): void {
    if (change.kind === 'CREATED') this.poolsAnnounced.add(change.poolId);
    this.batch.push({ kind: 'pool', change });
  }

  private async listAll(): Promise<Map<string, NodePool>> {
    const pools = new Map<string, NodePool>();
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.options.api.listNodePools({ offset, limit: PAGE });
      for (const pool of page) pools.set(pool.id, pool);
      if (page.length < PAGE) return pools;
    }
  }

  /** The next regular poll (backing off after failures), and the next settling poll if a pool is unsettled. */
  private schedule(): void {
    const { settleDelaysMs } = this.options;
    const wait = nextPollDelay(this.options, this.failures, this.lastError);
    this.timer = setTimeout(() => void this.poll(), wait);
    this.timer.unref();
    clearTimeout(this.settleTimer);
    if (this.settling.size === 0 || this.failures > 0) return;
    const step = Math.min(...this.settling.values());
    const delay = settleDelaysMs[step];
    if (delay === undefined || delay >= wait) {
      // The schedule is used up (or the regular poll comes first): leave the rest to regular polls.
      if (delay === undefined) this.settling.clear();
      return;
    }
    for (const [id, s] of this.settling) this.settling.set(id, s + 1);
    this.settleTimer = setTimeout(() => void this.poll(), delay);
    this.settleTimer.unref();
  }
}

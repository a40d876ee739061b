import type { LiveStore, LogLimits } from './live-store.js';

/**
 * What this process does for a topic:
 * - `polling`: it holds the deployment's lease and polls Run:ai for everyone;
 * - `following`: another process polls, and this one delivers what it publishes;
 * - `alone`: the shared store is unreachable, so it polls for its own subscribers.
 */
export type TopicRole = 'polling' | 'following' | 'alone';

/** A running poller, as the topic sees it. */
export interface TopicPoller {
  stop(): void;
  /** Resolves once the poller's first poll is done. */
  ready?(): Promise<void>;
}

export interface SharedTopicOptions {
  topic: string;
  /** The deployment's store (or this process's own, when it is alone in the deployment). */
  store: LiveStore;
  /** This process's own store, which holds what it polls while the deployment's is unreachable. */
  own: LiveStore;
  /** How long a lease lasts unrenewed: the longest a topic goes unpolled when its poller dies. */
  leaseMs: number;
  log?: LogLimits | undefined;
  /** How long the poller's snapshot outlives its last poll. */
  snapshotTtlMs: number;
  /** Starts this process's poller from the last snapshot; it publishes each poll's events through `publish`. */
  start(seed: string | undefined, publish: (events: string[], snapshot?: string) => void): TopicPoller;
  /**
   * What this process knows of the topic's state (a snapshot: the seed its poller started from, the
   * one it found when it began to follow, each one its poller published), for {@link fallbackSeed}.
   */
  onState?: (snapshot: string) => void;
  /** The seed of a poller that must go on alone: the state this process last knew. */
  fallbackSeed?: () => string | undefined;
  /** Whether this process lacks the topic's state: a follower then reads it at each renewal until it has it. */
  wantsState?: () => boolean;
  /** Runs before each lease renewal (the metrics pollers gather every process's wishes there). */
  beforeClaim?: () => Promise<void>;
  /** The role changed; `handover` when this process took over a topic another process polled. */
  onRole?: (role: TopicRole, handover: boolean) => void;
  warn?: (obj: object, msg: string) => void;
  /** The clock that judges whether a stored state is current. Default `Date.now`. */
  now?: () => number;
}

/**
 * One topic of the live layer in one process: it polls when it holds the
 * deployment's lease for the topic, follows the holder otherwise, and polls
 * alone while the store is unreachable. A process on its own holds every
 * lease at once and never renews one; it still starts from the snapshot its
 * last poller of the topic left. Leases are renewed four times per
 * lease: a poller that dies or leaves is replaced within about one lease.
 */
export class SharedTopic {
  private current: TopicRole | undefined;
  private poller: TopicPoller | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly decided: Promise<void>;
  private markDecided!: () => void;

  constructor(private readonly options: SharedTopicOptions) {
    this.decided = new Promise((resolve) => {
      this.markDecided = resolve;
    });
    void this.tick();
  }

  get role(): TopicRole | undefined {
    return this.current;
  }

  /**
   * Resolves once this process knows its role and the topic has a baseline:
   * its own first poll, or, when following, the poller's first snapshot.
   */
  async ready(): Promise<void> {
    await this.decided;
    if (this.poller) return this.poller.ready?.();
    for (let i = 0; i < 100 && !this.stopped && this.current === 'following'; i++) {
      // The poller's first poll stores its state.
      if ((await this.options.store.snapshot(this.options.topic).catch(() => undefined)) !== undefined)
        return;
      await new Promise((resolve) => setTimeout(resolve, 50).unref());
    }
  }

  /** Stops polling and gives the lease up, so that another process with subscribers takes over at once. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.poller?.stop();
    this.poller = undefined;
    this.markDecided();
    if (this.current === 'polling' && this.options.store.shared) {
      this.options.store.release(this.options.topic).catch(() => {});
    }
  }

  private async tick(): Promise<void> {
    const { store, topic, leaseMs } = this.options;
    try {
      await this.options.beforeClaim?.();
      const held = await store.claim(topic, leaseMs);
      if (this.stopped) {
        if (held) await store.release(topic);
        return;
      }
      if (!held) {
        const joining = this.current !== 'following';
        if (joining) this.become('following', store, undefined);
        if (joining || this.options.wantsState?.()) {
          const state = await store.snapshot(topic);
          if (state !== undefined && !this.stopped) this.options.onState?.(state.data);
        }
      } else if (this.current !== 'polling') {
        const state = await store.snapshot(topic);
        // A state no poll confirmed lately may miss what changed since: the poller starts afresh, with a gap.
        const now = this.options.now?.() ?? Date.now();
        const fresh = state !== undefined && now - state.confirmedAt <= 2 * leaseMs;
        if (!this.stopped) this.become('polling', store, fresh ? state.data : undefined);
      }
    } catch (error) {
      if (this.stopped) return;
      if (this.current !== 'alone') {
        const seed = this.options.fallbackSeed?.();
        this.options.warn?.(
          {
            topic: topic.slice(0, 12),
            err: (error as Error).message,
            fromLastKnownState: seed !== undefined,
          },
          'live store unreachable: polling for this process’s own subscribers until it is back',
        );
        this.become('alone', this.options.own, seed);
      }
    }
    // A process on its own holds its leases for good.
    if (this.stopped || !store.shared) return;
    this.timer = setTimeout(() => void this.tick(), leaseMs / 4);
    this.timer.unref();
  }

  private become(role: TopicRole, store: LiveStore, seed: string | undefined): void {
    if (this.current === role) return;
    const { topic, log, snapshotTtlMs } = this.options;
    this.poller?.stop();
    this.poller = undefined;
    const handover = role === 'polling' && seed !== undefined && store.shared;
    this.current = role;
    if (seed !== undefined) this.options.onState?.(seed);
    if (role !== 'following') {
      this.poller = this.options.start(seed, (events, snapshot) => {
        store.publish({ topic, events, log, snapshot, snapshotTtlMs }).then(
          // Only what was published: a poller that must go on alone announces again what was lost.
          () => {
            if (snapshot !== undefined) this.options.onState?.(snapshot);
          },
          (error: Error) => {
            this.options.warn?.(
              { topic: topic.slice(0, 12), err: error.message },
              'live events not published',
            );
          },
        );
      });
    }
    this.options.onRole?.(role, handover);
    this.markDecided();
  }
}

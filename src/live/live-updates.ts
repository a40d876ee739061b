import { Repeater } from 'graphql-yoga';
import { credentialScope } from '../credentials.js';
import { bindNodePoolsApi } from '../upstream/bind-api.js';
import type { UpstreamHttp } from '../upstream/http.js';
import { PhaseWatcher, type WatcherEvent } from './phase-watcher.js';
import type { RefreshBus } from './refresh-bus.js';

export interface LiveUpdatesOptions {
  http: UpstreamHttp;
  intervalMs: number;
  /** Polls after a mutation, until the changed pool settles. Default 500, 1000, 2000, 4000, 8000 ms. */
  settleDelaysMs?: readonly number[];
  /** Cap of the back-off after failed polls. Default 60 s. */
  maxBackoffMs?: number;
  warn?: (obj: object, msg: string) => void;
  /** Called after each poll, for metrics. */
  onPoll?: (outcome: 'ok' | 'error') => void;
  /** Carries refresh signals to the other replicas (Redis); without it, refreshes stay on this replica. */
  bus?: RefreshBus | undefined;
}

interface Scope {
  watcher: PhaseWatcher;
  listeners: Set<(event: WatcherEvent) => void>;
}

/** A change made through this gateway, announced to the live layer. */
export type ChangeKind = 'created' | 'updated' | 'deleted';

/**
 * The live layer: one phase watcher per credential scope (a hash of the
 * token), shared by every subscriber of that scope and stopped when the last
 * one leaves. Scopes never share data: each watcher polls with its own token
 * and publishes only to its own subscribers.
 */
export class LiveUpdates {
  private readonly scopes = new Map<string, Scope>();
  private readonly open = new Set<() => void>();
  private stopped = false;
  private polls = 0;

  constructor(private readonly options: LiveUpdatesOptions) {
    // Another replica served a mutation: refresh this replica's watcher of that scope, if it has one.
    options.bus?.onSignal((signal) =>
      this.scopes.get(signal.scope)?.watcher.refresh(signal.poolId, signal.change),
    );
  }

  /** Polls made since start, all scopes together (each poll lists every pool of its scope). */
  get pollCount(): number {
    return this.polls;
  }

  /** Number of running watchers (one per active credential scope). */
  get pollers(): number {
    return this.scopes.size;
  }

  /** Number of open subscriptions. */
  get subscriptions(): number {
    return this.open.size;
  }

  /**
   * The phase events of the caller's scope, from the moment the scope's
   * first snapshot is taken. Ends after an `end` event (the token stopped
   * working) or when the gateway stops; returning early releases the watcher.
   */
  subscribe(token: string): AsyncIterableIterator<WatcherEvent> {
    return new Repeater<WatcherEvent>(async (push, stop) => {
      if (this.stopped) return stop();
      const key = credentialScope(token);
      const scope = this.acquire(key, token);
      const listener = (event: WatcherEvent) => {
        push(event).catch(() => undefined);
        if (event.kind === 'end') stop();
      };
      const end = () => stop();
      scope.listeners.add(listener);
      this.open.add(end);
      await stop;
      scope.listeners.delete(listener);
      this.open.delete(end);
      this.release(key, scope);
    });
  }

  /** Resolves once the caller's scope has its first snapshot (tests and warm-up). */
  async ready(token: string): Promise<void> {
    await this.scopes.get(credentialScope(token))?.watcher.ready();
  }

  /**
   * A mutation through the gateway changed a pool: the scope's watcher, if
   * any, polls now and then until the pool settles, so subscribers see the
   * whole lifecycle without waiting for the regular interval.
   */
  notifyChange(token: string, poolId: string | undefined, change: ChangeKind = 'updated'): void {
    const scope = credentialScope(token);
    // Locally at once, whatever Redis does; the other replicas through the bus, by scope hash only.
    this.scopes.get(scope)?.watcher.refresh(poolId, change);
    this.options.bus?.publish({ scope, poolId, change });
  }

  /** Ends every subscription and stops every watcher. */
  stop(): void {
    this.stopped = true;
    for (const end of [...this.open]) end();
    for (const scope of this.scopes.values()) scope.watcher.stop();
    this.scopes.clear();
  }

  private acquire(key: string, token: string): Scope {
    const existing = this.scopes.get(key);
    if (existing) return existing;
    const listeners = new Set<(event: WatcherEvent) => void>();
    const watcher = new PhaseWatcher({
      api: bindNodePoolsApi({ http: this.options.http, token }),
      intervalMs: this.options.intervalMs,
      settleDelaysMs: this.options.settleDelaysMs ?? [500, 1000, 2000, 4000, 8000],
      maxBackoffMs: this.options.maxBackoffMs ?? 60_000,
      publish: (event) => {
        for (const listener of [...listeners]) listener(event);
        if (event.kind === 'end') this.scopes.delete(key);
      },
      onPoll: (outcome) => {
        this.polls++;
        this.options.onPoll?.(outcome);
      },
      ...(this.options.warn ? { warn: this.options.warn } : {}),
    });
    const scope = { watcher, listeners };
    this.scopes.set(key, scope);
    return scope;
  }

  private release(key: string, scope: Scope): void {
    if (scope.listeners.size > 0) return;
    scope.watcher.stop();
    if (this.scopes.get(key) === scope) this.scopes.delete(key);
  }
}

import { LRUCache } from 'lru-cache';
import type { VerdictSharing } from './verdict-sharing.js';

/** How long a token Run:ai refused (401) is refused by the gateway itself, without a call. */
export const REFUSED_TTL_MS = 30_000;

/**
 * How long an acceptance by Run:ai vouches for a token: a response cache hit
 * (or the subgraph's SDL) is served without asking Run:ai only to a token
 * that Run:ai accepted, somewhere in the deployment, at most this long ago.
 */
export const BELIEF_WINDOW_MS = 30_000;

/** One token's acceptance: when Run:ai last accepted it, and when this process last told the deployment. */
interface Acceptance {
  at: number;
  sharedAt: number;
}

/**
 * What Run:ai said of the tokens callers sent, by credential scope (a hash,
 * never the token), bounded in entries and age: accepted (an answer that
 * passed authentication) and refused (401). With a {@link VerdictSharing}
 * (Redis between replicas, IPC between the workers of one machine), a
 * refusal anywhere reaches every process, and an acceptance anywhere vouches
 * for the token everywhere for {@link BELIEF_WINDOW_MS}.
 */
export class CredentialVerdicts {
  private readonly accepted: LRUCache<string, Acceptance>;
  private readonly refused: LRUCache<string, true>;
  private readonly now: () => number;

  constructor({
    maxEntries = 50_000,
    now,
    sharing,
  }: { maxEntries?: number; now?: () => number; sharing?: VerdictSharing | undefined } = {}) {
    this.now = now ?? Date.now;
    this.sharing = sharing;
    // A clock of the caller's (tests) is read every time, not at most once per millisecond.
    const clock = now ? { perf: { now }, ttlResolution: 0 } : {};
    // Acceptance does not expire for the rate limit: a token Run:ai stops accepting is answered 401, which
    // removes it. Belief is younger: see believes().
    this.accepted = new LRUCache({ max: maxEntries });
    this.refused = new LRUCache({ max: maxEntries, ttl: REFUSED_TTL_MS, ...clock });
    sharing?.onRefused((scope) => this.refuse(scope));
  }

  private readonly sharing: VerdictSharing | undefined;

  /**
   * Records Run:ai's answer to a call made with the credential `scope`: a
   * 401 refuses it, here and in every process the sharing reaches; any other
   * answer below 500 but a 429 (which may come before authentication) shows
   * it was accepted. Only Run:ai's own answers count: a cached answer proves
   * nothing about a token.
   */
  observe(scope: string, status: number | 'error'): void {
    if (scope === 'anonymous' || typeof status !== 'number') return;
    if (status === 401) {
      const known = this.refused.has(scope);
      this.refuse(scope);
      if (!known) this.sharing?.refused(scope);
    } else if (status < 500 && status !== 429) {
      const now = this.now();
      const previous = this.accepted.get(scope);
      this.refused.delete(scope);
      // Tell the deployment once in a quarter window per token, not at every call.
      const share = !previous || now - previous.sharedAt >= BELIEF_WINDOW_MS / 4;
      this.accepted.set(scope, { at: now, sharedAt: share ? now : previous.sharedAt });
      if (share) this.sharing?.accepted(scope, now, BELIEF_WINDOW_MS);
    }
  }

  /** Whether Run:ai ever accepted the token and has not refused it since (the rate limit's key). */
  isAccepted(scope: string): boolean {
    return this.accepted.has(scope);
  }

  isRefused(scope: string): boolean {
    return this.refused.has(scope);
  }

  /**
   * Whether the deployment believes the token now: Run:ai accepted it within
   * {@link BELIEF_WINDOW_MS}, in this process or (asked through the sharing)
   * in another, and nothing refused it since.
   */
  async believes(scope: string): Promise<boolean> {
    if (this.refused.has(scope)) return false;
    const now = this.now();
    const local = this.accepted.peek(scope);
    if (local && now - local.at < BELIEF_WINDOW_MS) return true;
    const remote = await this.sharing?.acceptedAt(scope).catch(() => undefined);
    if (remote === undefined || now - remote >= BELIEF_WINDOW_MS || this.refused.has(scope)) return false;
    // Another process's acceptance: remembered with its own time, so the window stays the same.
    this.accepted.set(scope, { at: remote, sharedAt: remote });
    return true;
  }

  /** Stops sharing (the deployment's processes hear no more from this one). */
  async close(): Promise<void> {
    await this.sharing?.close();
  }

  /** Entries held (for tests of the bound). */
  get size(): { accepted: number; refused: number } {
    return { accepted: this.accepted.size, refused: this.refused.size };
  }

  private refuse(scope: string): void {
    this.accepted.delete(scope);
    this.refused.set(scope, true);
  }
}

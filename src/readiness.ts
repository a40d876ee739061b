import { isUpstreamError } from './upstream/errors.js';
import type { UpstreamHttp } from './upstream/http.js';

/** How long an upstream answer keeps the gateway ready without a new probe. */
const FRESH_MS = 15_000;

/**
 * Tracks whether Run:ai answered recently. Any HTTP answer counts (a 401 to
 * an anonymous probe proves the API is up); connection failures and
 * timeouts do not.
 */
export class Readiness {
  private lastAnswerAt = 0;

  constructor(
    private readonly http: UpstreamHttp,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an answer from Run:ai, seen on any call. */
  markAnswered(): void {
    this.lastAnswerAt = this.now();
  }

  /** True when Run:ai answered within the last 15 s, probing it with `GET /api/v1/node-pools/count` otherwise. */
  async isReady(signal?: AbortSignal): Promise<boolean> {
    if (this.now() - this.lastAnswerAt < FRESH_MS) return true;
    try {
      await this.http.request({
        operation: 'readiness_probe',
        method: 'GET',
        path: '/api/v1/node-pools/count',
        ...(signal ? { signal } : {}),
      });
      this.markAnswered();
    } catch (error) {
      if (isUpstreamError(error) && error.status !== undefined) this.markAnswered();
    }
    return this.now() - this.lastAnswerAt < FRESH_MS;
  }
}

import { isUpstreamError } from '../upstream/errors.js';
import type { UpstreamHttp } from '../upstream/http.js';

/** How long an upstream answer keeps the gateway ready without a new probe. */
const FRESH_MS = 15_000;

/**
 * Whether the gateway can serve: Run:ai answered recently. Any answer but a
 * 5xx counts (a 401 to an anonymous probe proves the API is up); 5xx,
 * connection failures and timeouts do not. One caller's refused requests
 * (4xx, 429) or open circuit say nothing about Run:ai, so they leave
 * readiness alone.
 */
export class Readiness {
  private lastAnswerAt = 0;
  private why = 'Run:ai has not answered yet';

  constructor(
    private readonly http: UpstreamHttp,
    private readonly now: () => number = Date.now,
  ) {}

  /** Why the gateway is not ready, for the /readyz body. */
  get reason(): string {
    return this.why;
  }

  /** Records an answer from Run:ai, seen on any call: any status below 500 shows it working. */
  markAnswered(status: number): void {
    if (status < 500) this.lastAnswerAt = this.now();
  }

  /**
   * Ready when Run:ai answered within the last 15 s; otherwise probes it with
   * `GET /api/v1/node-pools/count`.
   */
  async isReady(signal?: AbortSignal): Promise<boolean> {
    if (this.now() - this.lastAnswerAt < FRESH_MS) return true;
    try {
      await this.http.request({
        operation: 'readiness_probe',
        method: 'GET',
        route: '/api/v1/node-pools/count',
        path: '/api/v1/node-pools/count',
        ...(signal ? { signal } : {}),
      });
      this.markAnswered(200);
    } catch (error) {
      if (isUpstreamError(error) && error.status !== undefined) this.markAnswered(error.status);
    }
    const ready = this.now() - this.lastAnswerAt < FRESH_MS;
    if (!ready) this.why = 'Run:ai does not answer';
    return ready;
  }
}

import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../telemetry/logger.js';

/** One line per origin and kind a minute at most: a page retrying in a loop cannot flood the log. */
const QUIET_MS = 60_000;

/**
 * Logs browser requests the gateway refuses for their Origin, which the
 * browser shows only as "Failed to fetch" or close code 1006: a cross-origin
 * request from an origin CORS_ORIGINS does not list, and a WebSocket upgrade
 * refused for its Origin. One info line names the origin, the list and the
 * rule that origins match exactly; the same origin is logged again only
 * after a minute, and the memory of logged origins is bounded.
 */
export class OriginRefusals {
  private readonly recent = new LRUCache<string, true>({ max: 1000, ttl: QUIET_MS });

  constructor(
    private readonly log: Logger,
    private readonly allowedOrigins: readonly string[],
  ) {}

  /** A cross-origin HTTP request whose Origin is not listed: the browser will drop the answer. */
  observeHttp(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined || this.allowedOrigins.includes(origin) || sameOrigin(origin, req)) return;
    this.note('cors', origin);
  }

  /** A WebSocket upgrade refused for its Origin. */
  refusedWebSocket(origin: string): void {
    this.note('websocket', origin);
  }

  private note(kind: 'cors' | 'websocket', origin: string): void {
    const key = `${kind} ${origin}`;
    if (this.recent.has(key)) return;
    this.recent.set(key, true);
    this.log.info(
      {
        origin: origin.slice(0, 200),
        allowedOrigins: this.allowedOrigins,
        hint: 'origins must match CORS_ORIGINS exactly: scheme, host and port (http://localhost:5173 is not http://127.0.0.1:5173)',
      },
      kind === 'cors'
        ? 'cross-origin request from an origin not in CORS_ORIGINS: the browser will not show it the answer'
        : 'WebSocket upgrade refused: its Origin is not the gateway and not in CORS_ORIGINS',
    );
  }
}

function sameOrigin(origin: string, req: IncomingMessage): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

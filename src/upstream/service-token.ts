/**
 * Service credentials: the gateway's own Run:ai token, obtained with the
 * client-credentials grant (`POST /api/v1/token`) for callers that send none.
 * One cached token per source, refreshed shortly before it expires, with at
 * most one token call in flight at any time.
 */
import { isUpstreamError, UpstreamError } from './errors.js';
import type { UpstreamHttp } from './http.js';
import { leaveOnAbort } from './inflight.js';

/** Path of Run:ai's client-credentials token endpoint. */
const TOKEN_PATH = '/api/v1/token';
/** Operation name of the token call, for errors, logs and metrics (the simulator records the same). */
const OPERATION = 'issue_token';
/** Run:ai's SDK re-runs the grant 60 s before expiry; so do we. */
const DEFAULT_REFRESH_BEFORE_MS = 60_000;
/** Run:ai does not document the lifetime; its examples show 3600 s. Used when neither `expiresIn` nor `exp` says. */
const DEFAULT_LIFETIME_S = 3600;

/** Minimal pino-compatible logger. */
export interface ServiceTokenLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Settings of a {@link ServiceTokenSource}. */
export interface ServiceTokenOptions {
  http: UpstreamHttp;
  clientId: string;
  clientSecret: string;
  /** Refresh this long before expiry. Default 60_000. */
  refreshBeforeMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
  logger?: ServiceTokenLogger;
}

/** Where a token's lifetime came from (logged, to spot a Run:ai that stopped sending `expiresIn`). */
type ExpirySource = 'expiresIn' | 'jwt-exp' | 'default';

interface CachedToken {
  token: string;
  /** Epoch ms after which the token is no longer used. */
  refreshAt: number;
}

/**
 * The gateway's own Run:ai token, from the client-credentials grant of
 * `POST /api/v1/token` (`{grantType: 'client_credentials', clientId, clientSecret}`).
 *
 * The secret and the cached token live in ES private fields so that neither
 * `util.inspect` nor a logger serialising this object can reveal them.
 */
export class ServiceTokenSource {
  readonly #http: UpstreamHttp;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #refreshBeforeMs: number;
  readonly #now: () => number;
  readonly #logger: ServiceTokenLogger | undefined;
  #cached: CachedToken | undefined;
  #inflight: Promise<string> | undefined;

  constructor(options: ServiceTokenOptions) {
    if (!options.clientId || !options.clientSecret) {
      throw new TypeError('Run:ai service credentials need a client id and a client secret');
    }
    const refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    if (!Number.isFinite(refreshBeforeMs) || refreshBeforeMs < 0) {
      throw new TypeError('refreshBeforeMs must be a non-negative number of ms');
    }
    this.#http = options.http;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#refreshBeforeMs = refreshBeforeMs;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
  }

  /**
   * A valid token: cached; fetched with `POST /api/v1/token` (grantType
   * client_credentials) when missing or within `refreshBeforeMs` of expiry.
   * Concurrent callers share ONE token call (single flight), so a refresh
   * happens once per expiry even under load. A failed fetch rejects every
   * waiter with the {@link UpstreamError} and the next call tries again.
   *
   * `signal` lets this caller stop waiting; the shared token call itself is
   * not aborted, since the other waiters (and later callers) still need it,
   * and it is bounded by the transport's total timeout.
   *
   * @throws {UpstreamError} when Run:ai refuses the credentials (`UNAUTHENTICATED`), is unreachable,
   *   or answers without an access token (`UPSTREAM_BAD_RESPONSE`).
   * @throws `signal.reason` when the caller aborts.
   */
  async getToken(signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) throw signal.reason;
    const cached = this.#cached;
    if (cached && this.#now() < cached.refreshAt) return cached.token;
    // Everything up to here runs synchronously, so concurrent callers see the same #inflight.
    this.#inflight ??= this.#fetch();
    return signal ? leaveOnAbort(this.#inflight, signal) : this.#inflight;
  }

  /**
   * Drops the cached token (e.g. after Run:ai answered 401 with it), so the
   * next {@link getToken} fetches a new one. With `token`, drops only that
   * token: a late 401 for an old token must not throw away its fresh successor.
   */
  invalidate(token?: string): void {
    if (token === undefined || this.#cached?.token === token) this.#cached = undefined;
  }

  #fetch(): Promise<string> {
    const call: Promise<string> = this.#requestToken()
      .then((entry) => {
        this.#cached = entry;
        return entry.token;
      })
      .finally(() => {
        if (this.#inflight === call) this.#inflight = undefined;
      });
    // Every waiter may have left through its signal; a failure must not become an unhandled rejection then.
    call.catch(() => {});
    return call;
  }

  async #requestToken(): Promise<CachedToken> {
    // Lifetimes count from before the call: the token cannot have been issued earlier than that.
    const issuedAt = this.#now();
    let body: unknown;
    let status: number;
    try {
      const res = await this.#http.request({
        operation: OPERATION,
        method: 'POST',
        route: TOKEN_PATH,
        path: TOKEN_PATH,
        body: { grantType: 'client_credentials', clientId: this.#clientId, clientSecret: this.#clientSecret },
      });
      body = res.body;
      status = res.status;
    } catch (err) {
      // Only the classification: the error itself is safe, but its cause may carry request details.
      this.#logger?.warn(
        isUpstreamError(err)
          ? { operation: OPERATION, code: err.code, status: err.status }
          : { operation: OPERATION },
        'Run:ai service token request failed',
      );
      throw err;
    }

    const token = readAccessToken(body);
    if (token === undefined) {
      this.#logger?.warn({ operation: OPERATION, status }, 'Run:ai token response has no access token');
      // The body is not echoed: whatever else it holds may be a credential.
      throw new UpstreamError({
        code: 'UPSTREAM_BAD_RESPONSE',
        operation: OPERATION,
        status,
        message: `Run:ai returned no access token (${OPERATION}, HTTP ${status})`,
      });
    }

    const { lifetimeMs, source } = lifetimeOf(body as Record<string, unknown>, token, issuedAt);
    // A token shorter-lived than the refresh margin would count as stale on arrival and be fetched
    // again on every call: refresh such tokens at half their lifetime instead.
    const marginMs = Math.min(this.#refreshBeforeMs, lifetimeMs / 2);
    const expiresInS = Math.round(lifetimeMs / 1000);
    this.#logger?.info({ expiresInS, expirySource: source }, 'Run:ai service token obtained');
    return { token, refreshAt: issuedAt + lifetimeMs - marginMs };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The access token of a token response, in either spelling (`accessToken` of v1, `access_token` of OAuth2). */
function readAccessToken(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const token = body['accessToken'] ?? body['access_token'];
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/** A positive, finite number of seconds (numbers given as strings accepted), else undefined. */
function positiveSeconds(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * How long a token lives: `expiresIn` (or `expires_in`) seconds; else the
 * JWT `exp` claim, when it lies in the future; else {@link DEFAULT_LIFETIME_S}.
 */
function lifetimeOf(
  body: Record<string, unknown>,
  token: string,
  issuedAt: number,
): { lifetimeMs: number; source: ExpirySource } {
  const expiresIn = positiveSeconds(body['expiresIn'] ?? body['expires_in']);
  if (expiresIn !== undefined) return { lifetimeMs: expiresIn * 1000, source: 'expiresIn' };
  const exp = jwtExp(token);
  // An `exp` already past (clock skew, or not really a JWT) would make every call fetch a token.
  if (exp !== undefined && exp * 1000 > issuedAt)
    return { lifetimeMs: exp * 1000 - issuedAt, source: 'jwt-exp' };
  return { lifetimeMs: DEFAULT_LIFETIME_S * 1000, source: 'default' };
}

/** The `exp` claim (epoch seconds) of a JWT, read without verifying it (Run:ai verifies; we only schedule). */
function jwtExp(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isObject(claims) ? positiveSeconds(claims['exp']) : undefined;
  } catch {
    return undefined;
  }
}

/** One bearer token the simulator accepts, and whom it stands for. */
export interface TokenEntry {
  tenantId: number;
  role: 'admin' | 'viewer';
}

/** A client of the `POST /api/v1/token` client-credentials grant. */
export interface ServiceClient {
  secret: string;
  tenantId: number;
  role: 'admin' | 'viewer';
}

/** Everything a simulator can be configured with; every field is optional. */
export interface SimulatorOptions {
  /** N>0: tenant 1001 gets exactly N generated pools (incl. its 2 default pools) instead of its seed; 0/undefined: the demo seed. */
  pools?: number;
  /** Replaces DEFAULT_TOKENS. */
  tokens?: Record<string, TokenEntry>;
  /** Replaces DEFAULT_SERVICE_CLIENTS. */
  serviceClients?: Record<string, ServiceClient>;
  /** Lifetime of tokens issued by POST /api/v1/token (default 3600). */
  tokenTtlSeconds?: number;
  /** Milliseconds a pool stays Creating/Updating/Deleting (defaults 3000/2000/2000). */
  delays?: { create?: number; update?: number; delete?: number };
  /** Metric types that are "not computable": answered 207 with only the others. */
  partialMetricTypes?: string[];
  /** Clock in ms since epoch, default Date.now. */
  now?: () => number;
  /** Print one line per request to stderr, default false. */
  logRequests?: boolean;
  /** Requests kept in `requests` (the most recent ones), default 10,000. */
  requestLogLimit?: number;
}

/** One request as the simulator saw it, with the status it answered. */
export interface RecordedRequest {
  seq: number;
  /** The spec's operationId, 'issue_token' for the token endpoint, 'unknown' otherwise. */
  operation: string;
  method: string;
  path: string;
  query: Record<string, string>;
  rawQuery: string;
  body: unknown;
  token: string | undefined;
  tenantId: number | undefined;
  accept: string | undefined;
  /** The W3C `traceparent` header, which a traced client sends. */
  traceparent: string | undefined;
  /** Status sent (0 when the connection was dropped or the client went away first). */
  status: number;
  /** True when the client closed the connection before the response was sent. */
  aborted: boolean;
}

/** Selects requests for faults and queries; every given field must match. */
export interface FaultMatch {
  method?: string;
  operation?: string;
  path?: string | RegExp;
  /** The bearer token the request carries: faults for one caller only. */
  token?: string;
}

/** Fault injection controls of a running simulator. */
export interface SimulatorFaults {
  /** Added before answering every matching request, until cleared with setLatency(0). */
  setLatency(ms: number, match?: FaultMatch): void;
  /** The next `count` matching requests get `status` with a Run:ai-style error body (or `body` raw). */
  failNext(
    count: number,
    status: number,
    options?: FaultMatch & { retryAfterSeconds?: number; body?: string },
  ): void;
  /** The next `count` matching requests get their socket destroyed without an answer. */
  dropNext(count: number, match?: FaultMatch): void;
  /** The next `count` matching requests get 200, content-type application/json and a body that is not JSON. */
  garbageNext(count: number, match?: FaultMatch): void;
  /** Removes every fault. */
  reset(): void;
}

/** A Run:ai node-pools API simulator over a real node:http server. */
export interface Simulator {
  /** Base URL after start(), e.g. http://127.0.0.1:41234; throws before start. */
  readonly url: string;
  /** Starts listening (defaults: port 0, host 127.0.0.1) and resolves the base URL. */
  start(port?: number, host?: string): Promise<string>;
  /** Closes the server and every open keep-alive socket, promptly. */
  stop(): Promise<void>;
  readonly requests: readonly RecordedRequest[];
  clearRequests(): void;
  countRequests(match?: FaultMatch): number;
  /** Resolves when a request matching `match` has been recorded as finished (status set or aborted). */
  waitForRequest(match: FaultMatch & { aborted?: boolean }, timeoutMs?: number): Promise<RecordedRequest>;
  readonly faults: SimulatorFaults;
  /** Mutates the token table at run time (null revokes the token). */
  setToken(token: string, entry: TokenEntry | null): void;
  /**
   * Back to the initial state: the seed pools (or the generated ones) with their ids, the id
   * counter after them, an empty request log and no faults. Tokens set with setToken stay.
   */
  reset(): void;
  /** Sets a pool's phase directly, by id; throws if the id is unknown. */
  setPhase(id: string, phase: string, message?: string): void;
}

/**
 * Shared set-up of the service credential tests (service-token-*.test.ts), against the real simulator.
 * Time is simulated: the simulator and the token sources share the mutable `clock`, so expiry and refresh
 * are tested by moving it, never by sleeping.
 */

import { createSimulator, type Simulator } from 'runai-simulator';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { UpstreamHttp } from '../../src/upstream/http.js';
import { type ServiceTokenOptions, ServiceTokenSource } from '../../src/upstream/service-token.js';

export const CLIENT_ID = 'demo-client';
export const SECRET = 'demo-secret';
/** Lifetime of the tokens the simulator issues, in seconds. */
export const TTL_S = 120;

export interface ServiceTokens {
  readonly sim: Simulator;
  /** The shared clock (epoch ms): back at the real time before each test, moved by the tests. */
  readonly clock: { now: number };
  /** Every log line of the test (level, message and object) as one string, to search for leaked credentials. */
  readonly logLines: string[];
  source(overrides?: Partial<ServiceTokenOptions>): ServiceTokenSource;
  /** Token calls Run:ai received in this test. */
  tokenCalls(): number;
  /** `n` concurrent getToken() calls. */
  concurrently(src: ServiceTokenSource, n?: number): Promise<string[]>;
  /** Lists pools with `token`: whether Run:ai accepts it. */
  listPools(token: string): Promise<unknown>;
  /** A token response Run:ai might send instead of the simulator's own, through the real HTTP stack. */
  nextTokenResponse(body: object): void;
}

/** The hooks of a service-token test file: one simulator and client for the file, a fresh clock and log per test. */
export function useServiceTokens(): ServiceTokens {
  const clock = { now: Date.now() };
  const logLines: string[] = [];
  const capture = (level: string) => (obj: object, msg: string) => {
    logLines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  };
  const logger = { info: capture('info'), warn: capture('warn'), debug: capture('debug') };
  let sim: Simulator | undefined;
  let http: UpstreamHttp | undefined;

  beforeAll(async () => {
    sim = createSimulator({ tokenTtlSeconds: TTL_S, now: () => clock.now });
    await sim.start(0, '127.0.0.1');
    http = new UpstreamHttp({
      baseUrl: sim.url,
      connectTimeoutMs: 2000,
      headersTimeoutMs: 2000,
      totalTimeoutMs: 5000,
      logger,
    });
  });
  afterAll(async () => {
    await http?.close();
    await sim?.stop();
  });
  beforeEach(() => {
    clock.now = Date.now();
    logLines.length = 0;
  });
  afterEach(() => {
    sim?.faults.reset();
    sim?.clearRequests();
  });

  const started = () => {
    if (!sim || !http) throw new Error('the simulator starts in beforeAll');
    return { sim, http };
  };
  return {
    get sim() {
      return started().sim;
    },
    clock,
    logLines,
    source: (overrides = {}) =>
      new ServiceTokenSource({
        http: started().http,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        now: () => clock.now,
        logger,
        ...overrides,
      }),
    tokenCalls: () => started().sim.requests.filter((r) => r.operation === 'issue_token').length,
    concurrently: (src, n = 20) => Promise.all(Array.from({ length: n }, () => src.getToken())),
    async listPools(token) {
      const res = await started().http.request({
        operation: 'get_nodepools',
        method: 'GET',
        path: '/api/v1/node-pools',
        token,
      });
      return res.body;
    },
    nextTokenResponse(body) {
      started().sim.faults.failNext(1, 200, { operation: 'issue_token', body: JSON.stringify(body) });
    },
  };
}

/** A JWT with these claims and no signature worth the name: what an issuer's token looks like to a client. */
export function unsignedJwt(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.sig`;
}

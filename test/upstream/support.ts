/** Shared set-up of the upstream client tests: a real simulator and clients pointed at it. */

import { createSimulator, type Simulator } from 'runai-simulator';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { isUpstreamError, type UpstreamError } from '../../src/upstream/errors.js';
import type { CallContext } from '../../src/upstream/http.js';
import { UpstreamHttp, type UpstreamHttpOptions } from '../../src/upstream/http.js';

export const ADMIN = 'demo-admin';
export const VIEWER = 'demo-viewer';
export const ADMIN_2 = 'demo-admin-2';

/** Fast timings so retry tests stay quick, generous timeouts so CI noise does not fail them. */
export function httpOptions(
  baseUrl: string,
  overrides: Partial<UpstreamHttpOptions> = {},
): UpstreamHttpOptions {
  return {
    baseUrl,
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 5_000,
    totalTimeoutMs: 10_000,
    maxRetries: 2,
    connections: 4,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    // These suites inject many failures on purpose; the breaker has its own tests.
    circuit: { volumeThreshold: 1_000_000 },
    ...overrides,
  };
}

export interface Stack {
  sim: Simulator;
  url: string;
  /** Default client: 2 retries. */
  http: UpstreamHttp;
  /** A client that never retries, to observe single error answers. */
  noRetry: UpstreamHttp;
  /** A call context on `http` (or the given client) with `token`. */
  ctx(token: string | undefined, http?: UpstreamHttp): CallContext;
  /** Extra clients made by tests; closed by `stop()`. */
  client(overrides?: Partial<UpstreamHttpOptions>): UpstreamHttp;
  stop(): Promise<void>;
}

/** Starts a simulator on a free port with short phase delays, and clients pointed at it. */
export async function startStack(simOptions: Parameters<typeof createSimulator>[0] = {}): Promise<Stack> {
  const sim = createSimulator({ delays: { create: 50, update: 50, delete: 50 }, ...simOptions });
  const url = await sim.start(0, '127.0.0.1');
  const clients: UpstreamHttp[] = [];
  const client = (overrides: Partial<UpstreamHttpOptions> = {}) => {
    const c = new UpstreamHttp(httpOptions(url, overrides));
    clients.push(c);
    return c;
  };
  const http = client();
  const noRetry = client({ maxRetries: 0 });
  return {
    sim,
    url,
    http,
    noRetry,
    client,
    ctx: (token, on = http) => ({ http: on, token, warn: () => {} }),
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.stop();
    },
  };
}

/**
 * One stack for the tests of a file, from the file's hooks: started before its tests, stopped after them,
 * and between tests back to no faults and an empty request log. Read `.stack` in tests and later hooks.
 */
export function useStack(simOptions: Parameters<typeof createSimulator>[0] = {}): { readonly stack: Stack } {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(simOptions);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  afterEach(() => {
    stack?.sim.faults.reset();
    stack?.sim.clearRequests();
  });
  return {
    get stack(): Stack {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
  };
}

/**
 * A client that lets one call at a time through per credential, and Run:ai's next list call answered 503
 * with a Retry-After of 60 s, within the client's deadline: that call would sleep it out before retrying,
 * holding the credential's only slot meanwhile. `backingOff` resolves when the 503 is reported, just
 * before the back-off starts.
 */
export function backingOffClient(stack: Stack): { http: UpstreamHttp; backingOff: Promise<void> } {
  let reported: () => void = () => {};
  const backingOff = new Promise<void>((resolve) => {
    reported = resolve;
  });
  const http = stack.client({ concurrencyPerCredential: 1, totalTimeoutMs: 120_000 });
  http.on('attempt', (event) => {
    if (event.status === 503) reported();
  });
  stack.sim.faults.failNext(1, 503, { operation: 'get_nodepools', retryAfterSeconds: 60 });
  return { http, backingOff };
}

/** Awaits a promise that must reject with an UpstreamError, and returns the error. */
export async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected an UpstreamError, got ${JSON.stringify(outcome.value)}`);
  if (!isUpstreamError(outcome.error)) throw outcome.error;
  return outcome.error;
}

/** Asserts the classification of an UpstreamError. */
export async function expectUpstreamError(
  promise: Promise<unknown>,
  expected: Partial<Pick<UpstreamError, 'code' | 'status' | 'operation' | 'upstreamMessage'>>,
): Promise<UpstreamError> {
  const err = await upstreamError(promise);
  expect({
    code: err.code,
    status: err.status,
    operation: err.operation,
    upstreamMessage: err.upstreamMessage,
  }).toMatchObject(expected);
  return err;
}

/** A name no other test uses (pool names: lowercase letters, digits, dashes). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

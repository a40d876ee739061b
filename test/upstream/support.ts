/** Shared set-up of the upstream client tests: a real simulator and clients pointed at it. */

import { createSimulator, type Simulator } from 'runai-simulator';
import { expect } from 'vitest';
import { isUpstreamError, type UpstreamError } from '../../src/upstream/errors.js';
import { UpstreamHttp, type UpstreamHttpOptions } from '../../src/upstream/http.js';
import type { CallContext } from '../../src/upstream/nodepools-api.js';

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

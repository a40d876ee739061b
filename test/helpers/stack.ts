import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createSimulator, type Simulator, type SimulatorOptions } from 'runai-simulator';
import { type App, buildApp } from '../../src/app/app.js';
import { type ConfigInput, makeConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { onCleanup } from './cleanup.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface Stack {
  simulator: Simulator;
  app: App;
  url: string;
  /** Every log line the gateway wrote, parsed. */
  logs: Record<string, unknown>[];
  /** POSTs a GraphQL operation to the gateway; `token: null` sends no Authorization header. */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<T>>;
  /** Runs a typed document (from test/generated) and returns its typed result. */
  execute<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
    token?: string | null,
  ): Promise<GraphQLResponse<TResult>>;
  /** Counts the upstream requests per operationId since the last `clearRequests()`. */
  upstreamCalls(): Record<string, number>;
  stop(): Promise<void>;
}

/** Captures pino's JSON lines in memory so tests can assert on them. */
export function captureLogs(lines: Record<string, unknown>[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
}

export interface StackOptions {
  config?: ConfigInput;
  simulator?: SimulatorOptions;
  settleDelaysMs?: readonly number[];
  /** The gateway's operation clock (AppOptions.now); default the real time. */
  now?: () => Date;
}

/**
 * Starts a real simulator and a real gateway in front of it, both on free
 * loopback ports. `token` defaults to demo-admin. Stopping it is the
 * caller's business: in a test, {@link stackWith} does it.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulator = createSimulator(options.simulator);
  const simulatorUrl = await simulator.start(0, '127.0.0.1');
  const logs: Record<string, unknown>[] = [];
  // Suites inject many upstream failures on purpose; the circuit breaker has its own tests.
  const config = makeConfig({
    runaiUrl: simulatorUrl,
    logLevel: 'info',
    circuitVolumeThreshold: 1_000_000,
    // Suites send thousands of operations with one token; the rate limit has its own tests.
    rateLimitPerMinute: 0,
    // Suites change Run:ai behind the gateway's back between queries; the response cache has its own tests.
    responseCacheTtlSeconds: 0,
    ...options.config,
  });
  const app = buildApp(config, {
    log: createLogger(config.logLevel, captureLogs(logs)),
    ...(options.settleDelaysMs ? { settleDelaysMs: options.settleDelaysMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const url = await app.start(0, '127.0.0.1');
  const stack: Stack = {
    simulator,
    app,
    url,
    logs,
    async query(query, variables, token = 'demo-admin') {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json',
      };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse<never>;
    },
    execute(document, variables, token) {
      return stack.query(print(document), variables as Record<string, unknown> | undefined, token);
    },
    upstreamCalls() {
      const counts: Record<string, number> = {};
      for (const r of simulator.requests) counts[r.operation] = (counts[r.operation] ?? 0) + 1;
      return counts;
    },
    async stop() {
      await app.stop();
      await simulator.stop();
    },
  };
  return stack;
}

/**
 * A stack of the test's own ({@link startStack}), stopped once the test is done. Its gateway logs nothing
 * unless `config` sets a `logLevel` (e.g. `'info'`, to read `stack.logs`).
 */
export async function stackWith(
  config: ConfigInput = {},
  options: Omit<StackOptions, 'config'> = {},
): Promise<Stack> {
  const stack = await startStack({ ...options, config: { logLevel: 'silent', ...config } });
  onCleanup(() => stack.stop());
  return stack;
}

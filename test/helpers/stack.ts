import { Writable } from 'node:stream';
import { type ConfigInput, makeConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type App, buildApp } from '../../src/server.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

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

/**
 * Starts a real simulator and a real gateway in front of it, both on free
 * loopback ports. `token` defaults to demo-admin.
 */
export async function startStack(
  options: { config?: ConfigInput; simulator?: SimulatorOptions } = {},
): Promise<Stack> {
  const simulator = createSimulator(options.simulator);
  const simulatorUrl = await simulator.start(0, '127.0.0.1');
  const logs: Record<string, unknown>[] = [];
  const config = makeConfig({ runaiUrl: simulatorUrl, logLevel: 'info', ...options.config });
  const app = buildApp(config, { log: createLogger(config.logLevel, captureLogs(logs)) });
  const url = await app.start(0, '127.0.0.1');
  return {
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
    async stop() {
      await app.stop();
      await simulator.stop();
    },
  };
}

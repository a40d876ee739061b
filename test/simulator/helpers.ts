import { createSimulator, type Simulator, type SimulatorOptions } from 'runai-simulator';
import { afterEach } from 'vitest';

/** One answer of the simulator, body parsed as JSON when it is JSON. */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Options of one call. */
export interface CallOptions {
  method?: string;
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const running: Simulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

/** Starts a simulator on a free port; it is stopped after the test. */
export async function startSimulator(options?: SimulatorOptions): Promise<Simulator> {
  const sim = createSimulator(options);
  running.push(sim);
  await sim.start();
  return sim;
}

/** Calls the simulator with `demo-admin` unless told otherwise (`token: null` sends none). */
export async function call<T = unknown>(
  sim: Simulator,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? 'demo-admin' : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${sim.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (res.headers.get('content-type')?.startsWith('application/json') && text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

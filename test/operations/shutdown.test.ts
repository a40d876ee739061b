import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createSimulator } from 'runai-simulator';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';

const simulator = createSimulator();
afterAll(() => simulator.stop());

/** Starts `src/main.ts` as its own process and resolves its URL from the "gateway listening" log line. */
async function startProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${lines.join('\n')}`)), 20_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      const parsed = JSON.parse(line) as { msg?: string; url?: string };
      if (parsed.msg === 'gateway listening' && parsed.url) {
        clearTimeout(timer);
        resolve(parsed.url);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${lines.join('\n')}`)));
  });
  return { child, url, lines };
}

describe('graceful shutdown', () => {
  it('lets an in-flight request finish on SIGTERM, then exits 0', async () => {
    const upstream = await simulator.start(0, '127.0.0.1');
    simulator.faults.setLatency(1_500, { operation: 'count_nodepools' });
    const { child, url, lines } = await startProcess({ RUNAI_URL: upstream });

    const inflight = fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
      body: JSON.stringify({ query: '{ nodePoolCount }' }),
    });
    // SIGTERM while Run:ai is still working on the request (1.5 s of latency): once the call has reached it.
    await eventually(() => expect(simulator.countRequests({ operation: 'count_nodepools' })).toBe(1));
    const exited = once(child, 'exit');
    child.kill('SIGTERM');

    const res = await inflight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data?: { nodePoolCount: number }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data?.nodePoolCount).toBeGreaterThan(0);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(lines.some((l) => l.includes('waiting for in-flight requests'))).toBe(true);
    // New connections are refused once it is gone.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 30_000);
});

/**
 * `npx tsx bench/profile.ts [dashboard|single] [N]`: runs the built gateway
 * under `--cpu-prof` for N queries and prints the functions with the most
 * self time, to find what to optimise next. `PROF_INTERVAL_US=100` samples
 * every 100 µs instead of every 1 ms, for phases shorter than a millisecond.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DASHBOARD, SINGLE_POOL } from './lib/documents.js';
import { buildGateway, GATEWAY_NODE_FLAGS, ROOT, startSimulator } from './lib/processes.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

const which = process.argv[2] ?? 'dashboard';
const count = Number(process.argv[3] ?? (which === 'dashboard' ? 200 : 5000));
const query = which === 'dashboard' ? DASHBOARD : SINGLE_POOL;
const dir = `/tmp/nodepool-gateway-prof-${Date.now()}`;

buildGateway();
const simulator = await startSimulator(80);
const child = spawn(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    `--cpu-prof-interval=${process.env.PROF_INTERVAL_US ?? 1000}`,
    ...GATEWAY_NODE_FLAGS,
    'dist/main.js',
  ],
  {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', RUNAI_URL: simulator.url, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const url = await new Promise<string>((resolve) => {
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const parsed = JSON.parse(line) as { msg?: string; url?: string };
    if (parsed.msg === 'gateway listening' && parsed.url) resolve(parsed.url);
  });
});
const body = JSON.stringify({ query });
for (let i = 0; i < count; i++) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
    body,
  });
  await res.text();
}
const exited = once(child, 'exit');
child.kill('SIGTERM');
await exited;
await simulator.stop();

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) as string;
const profile = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as { nodes: ProfileNode[] };
const self = new Map<string, number>();
let totalHits = 0;
for (const node of profile.nodes) {
  const { functionName, url: source, lineNumber } = node.callFrame;
  const where = source.replace(/^.*node_modules\//, '').replace(`file://${ROOT}`, '');
  const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + node.hitCount);
  totalHits += node.hitCount;
}
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
for (const [key, hits] of top) console.log(`${((hits / totalHits) * 100).toFixed(1).padStart(5)}%  ${key}`);
console.log(`profile: ${dir}/${file}`);

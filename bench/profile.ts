/**
 * `npx tsx bench/profile.ts <dashboard|distinct|single> [N] [--entry=path/to/main.js]`: runs a built gateway
 * under `--cpu-prof` and prints where its CPU goes: self time by package or file, then the functions with the
 * most self time.
 * - `dashboard`: N reference dashboards one after another, against the simulator (default 200);
 * - `distinct`: N seconds of single-pool queries at concurrency 32, each with another caller's token, against
 *   the fast stub upstream (default 6): the throughput benchmark's headline case;
 * - `single`: N single-pool queries one after another, against the simulator (default 5000).
 * `PROF_INTERVAL_US=100` samples every 100 µs instead of every 1 ms.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DASHBOARD, SINGLE_POOL } from './lib/documents.js';
import { graphqlRequest, load } from './lib/load.js';
import {
  buildGateway,
  type Child,
  freePort,
  GATEWAY_NODE_FLAGS,
  ROOT,
  startSimulator,
  startStubUpstream,
} from './lib/processes.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

const { values, positionals } = parseArgs({ options: { entry: { type: 'string' } }, allowPositionals: true });
const which = positionals[0] ?? 'dashboard';
const defaults: Record<string, number> = { dashboard: 200, distinct: 6, single: 5000 };
if (!(which in defaults)) throw new Error('profile what? dashboard, distinct or single');
const count = Number(positionals[1] ?? defaults[which]);
const dir = `/tmp/nodepool-gateway-prof-${Date.now()}`;

if (!values.entry) buildGateway();
const upstream: Child = which === 'distinct' ? await startStubUpstream() : await startSimulator(80);
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const child = spawn(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    `--cpu-prof-interval=${process.env['PROF_INTERVAL_US'] ?? 1000}`,
    ...GATEWAY_NODE_FLAGS,
    values.entry ?? 'dist/main.js',
  ],
  {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      RUNAI_URL: upstream.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '100000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
for (;;) {
  const up = await fetch(`${url}/healthz`).then(
    () => true,
    () => false,
  );
  if (up) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}

if (which === 'distinct') {
  const request = { ...graphqlRequest(url, SINGLE_POOL), connections: 32, distinctCallers: true };
  await load({ ...request, durationSec: 1 });
  const figures = await load({ ...request, durationSec: count });
  console.log(`${Math.round(figures.requestsPerSec)} req/s`);
} else {
  const body = JSON.stringify({ query: which === 'dashboard' ? DASHBOARD : SINGLE_POOL });
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-admin' },
      body,
    });
    await res.text();
  }
}
const exited = once(child, 'exit');
child.kill('SIGTERM');
await exited;
await upstream.stop();

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) as string;
const profile = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as { nodes: ProfileNode[] };
const where = (source: string) => source.replace(/^.*node_modules\//, '').replace(`file://${ROOT}`, '');
/** A package (node_modules), a file of ours, node's internals, or V8's own entries (GC, idle, program). */
function groupOf(source: string): string {
  if (!source) return '(v8)';
  if (source.startsWith('node:')) return 'node internals';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (inModules) return inModules[1] as string;
  return where(source);
}
const self = new Map<string, number>();
const groups = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const { functionName, url: source, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${where(source)}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + node.hitCount);
  const group = source ? groupOf(source) : functionName;
  groups.set(group, (groups.get(group) ?? 0) + node.hitCount);
  total += node.hitCount;
}
const print = (entries: Map<string, number>, n: number) => {
  for (const [key, hits] of [...entries.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
};
console.log('\nself time by package or file');
print(groups, 25);
console.log('\nself time by function');
print(self, 30);
console.log(`\nprofile: ${dir}/${file}`);

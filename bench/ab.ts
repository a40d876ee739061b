/**
 * `npm run bench:ab -- --a=<ref> [--b=<ref>] [--rounds=4] [--only=throughput,dashboard] [--duration=8]`:
 * an interleaved A/B of two builds of the gateway, so that a change's effect is
 * not confused with the machine's drift. A ref is a git commit (built once into
 * a worktree under /tmp) or a path to a built `main.js`; B defaults to the
 * working tree's build. Each round runs every scenario on A and on B, in
 * alternating order, and the medians of each figure are compared.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildGateway, ROOT } from './lib/processes.js';
import { type BenchOptions, DEFAULT_OPTIONS } from './lib/types.js';
import { SCENARIOS } from './run.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    only: { type: 'string', default: 'throughput,dashboard' },
    duration: { type: 'string', default: '8' },
  },
});
if (!values.a) throw new Error('--a=<git ref or path to main.js> is required');

/** The entry point of a build: a path as given, or a git ref built once into a worktree. */
function entryOf(ref: string | undefined): string {
  if (ref === undefined) {
    buildGateway(true);
    return `${ROOT}/dist/main.js`;
  }
  if (ref.endsWith('.js')) return ref;
  const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT }).toString().trim();
  const dir = `/tmp/nodepool-gateway-ab-${sha}`;
  if (!existsSync(`${dir}/dist/main.js`)) {
    if (!existsSync(dir))
      execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: ROOT, stdio: 'inherit' });
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
    execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'inherit' });
  }
  return `${dir}/dist/main.js`;
}

const variants = { A: entryOf(values.a), B: entryOf(values.b) };
const options: BenchOptions = { ...DEFAULT_OPTIONS, durationSec: Number(values.duration) };
const only = values.only.split(',');
const results: Record<string, Record<'A' | 'B', number[]>> = {};

for (let round = 0; round < Number(values.rounds); round++) {
  const order = round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
  for (const variant of order) {
    process.env['BENCH_GATEWAY_ENTRY'] = variants[variant];
    for (const name of only) {
      const scenario = SCENARIOS[name];
      if (!scenario) throw new Error(`unknown scenario ${name}`);
      const result = await scenario(options);
      for (const [figure, value] of Object.entries(result.figures)) {
        const key = `${name}: ${figure}`;
        results[key] ??= { A: [], B: [] };
        results[key][variant].push(value);
      }
      console.log(`round ${round + 1} ${variant} ${name} done`);
    }
  }
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
console.log(`\nA = ${variants.A}\nB = ${variants.B}\nmedians over ${values.rounds} interleaved rounds`);
console.table(
  Object.fromEntries(
    Object.entries(results).map(([key, { A, B }]) => {
      const [a, b] = [median(A), median(B)];
      return [
        key,
        {
          A: Math.round(a * 1000) / 1000,
          B: Math.round(b * 1000) / 1000,
          change: `${(((b - a) / a) * 100).toFixed(1)}%`,
        },
      ];
    }),
  ),
);

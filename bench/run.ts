/**
 * `npm run bench`: the gateway's benchmarks, each scenario in its own
 * processes on loopback, printed as tables with ratios and written to
 * bench/results/latest.json. Options: --duration=SECONDS (per load run,
 * default 10), --subscribers=N (default 1000), --only=name,name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { buildGateway, ROOT } from './lib/processes.js';
import { type BenchOptions, DEFAULT_OPTIONS, type Scenario, type ScenarioResult } from './lib/types.js';
import { callBudget } from './scenarios/call-budget.js';
import { coldStart } from './scenarios/cold-start.js';
import { dashboard } from './scenarios/dashboard.js';
import { defer } from './scenarios/defer.js';
import { deployment } from './scenarios/deployment.js';
import { fanOut } from './scenarios/fan-out.js';
import { overhead } from './scenarios/overhead.js';
import { responseCache } from './scenarios/response-cache.js';
import { throughput } from './scenarios/throughput.js';
import { workers } from './scenarios/workers.js';

export const SCENARIOS: Record<string, Scenario> = {
  'call-budget': callBudget,
  overhead,
  throughput,
  dashboard,
  'fan-out': fanOut,
  deployment,
  'cold-start': coldStart,
  workers,
  defer,
  'response-cache': responseCache,
};

/** Runs the chosen scenarios in order and returns their results; prints their tables unless `print` is false. */
export async function runBenchmarks(
  options: BenchOptions,
  only?: string[],
  { build = true, print = true }: { build?: boolean; print?: boolean } = {},
): Promise<ScenarioResult[]> {
  // A fresh build, so the numbers are those of the current source (the smoke test reuses an existing one).
  buildGateway(build);
  const results: ScenarioResult[] = [];
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only && !only.includes(name)) continue;
    const started = performance.now();
    const result = await scenario(options);
    results.push(result);
    if (!print) continue;
    console.log(`\n## ${result.name}  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    console.table(result.rows);
    for (const [target, held] of Object.entries(result.targets ?? {})) {
      console.log(`  ${held ? 'met    ' : 'MISSED '} ${target}`);
    }
  }
  return results;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: String(DEFAULT_OPTIONS.durationSec) },
      subscribers: { type: 'string', default: String(DEFAULT_OPTIONS.subscribers) },
      only: { type: 'string' },
    },
  });
  const options: BenchOptions = {
    ...DEFAULT_OPTIONS,
    durationSec: Number(values.duration),
    subscribers: Number(values.subscribers),
  };
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`nodepool-gateway benchmarks on ${machine}`);
  const started = performance.now();
  const results = await runBenchmarks(options, values.only?.split(','));
  const seconds = (performance.now() - started) / 1000;
  mkdirSync(`${ROOT}/bench/results`, { recursive: true });
  const file = `${ROOT}/bench/results/latest.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), machine, options, seconds, results }, null, 2)}\n`,
  );
  console.log(`\n${results.length} scenarios in ${seconds.toFixed(0)} s; figures in ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

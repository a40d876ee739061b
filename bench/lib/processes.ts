/**
 * The processes a benchmark measures, each in its own Node.js process so
 * that the load generator, the simulator and the server under test do not
 * share an event loop: the simulator (`packages/runai-simulator/src/main.ts`), the gateway
 * as built (`dist/main.js`) and the bare-yoga reference (`bench/reference-server.ts`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  url: string;
  proc: ChildProcess;
  /** performance.now() when the process was spawned, and when its URL line appeared. */
  spawnedAt: number;
  listeningAt: number;
  stop(): Promise<void>;
}

/** The newest modification time of the files under a folder. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return latest;
}

/**
 * Compiles the gateway to dist/ so it runs as it would in production (plain
 * JS, no loader), after the simulator package (packages/runai-simulator/dist,
 * whose declarations the gateway's build reads): always when `force`,
 * otherwise when dist/ is missing or older than either package's sources.
 */
let checked = false;

export function buildGateway(force = false): void {
  // Once per process: a run measures one build, even if src/ changes while it runs.
  if (checked && !force) return;
  checked = true;
  const built = `${ROOT}/dist/main.js`;
  const sources = Math.max(newest(`${ROOT}/src`), newest(`${ROOT}/packages/runai-simulator/src`));
  if (!force && existsSync(built) && statSync(built).mtimeMs >= sources) return;
  for (const project of ['packages/runai-simulator/tsconfig.build.json', 'tsconfig.build.json']) {
    execFileSync(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', `${ROOT}/${project}`], {
      stdio: 'inherit',
    });
  }
}

/** Every child still running, so an interrupted benchmark does not leave servers behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of running) proc.kill('SIGKILL');
});

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function spawnUntil(
  args: string[],
  env: Record<string, string>,
  urlOf: (line: string) => string | undefined,
  fixedUrl?: string,
): Promise<Child> {
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  const output: string[] = [];
  proc.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 30 s:\n${output.join('')}`)), 30_000);
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output.push(line);
      const url = urlOf(line);
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output.join('\n')}`));
    });
    if (fixedUrl) {
      // The URL is known: wait for the server to answer instead of for a log line (any log level works).
      const poll = () =>
        fetch(`${fixedUrl}/healthz`).then(
          (res) => {
            clearTimeout(timer);
            void res.body?.cancel();
            resolve(fixedUrl);
          },
          () => setTimeout(poll, 5),
        );
      poll();
    }
  });
  const listeningAt = performance.now();
  return {
    url,
    proc,
    spawnedAt,
    listeningAt,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** The simulator's entry point, run from its TypeScript source (tsx) like `npm run simulator`. */
const SIMULATOR_MAIN = 'packages/runai-simulator/src/main.ts';

/** The Run:ai simulator in its own process; `pools` generated pools for tenant 1001. */
export function startSimulator(pools = 0, env: Record<string, string> = {}): Promise<Child> {
  return spawnUntil(
    ['--import', 'tsx', SIMULATOR_MAIN, '--port', '0', '--quiet'],
    { SIMULATOR_POOLS: String(pools), ...env },
    (line) => /listening on (\S+)/.exec(line)?.[1],
  );
}

/** Node.js flags of the production entry points (`npm run start:prod`, the image's CMD); a test keeps them equal. */
export const GATEWAY_NODE_FLAGS: string[] = [];

/**
 * The gateway's Node flags in the bench: those of production, unless
 * `BENCH_GATEWAY_FLAGS` (space-separated) replaces them to compare settings.
 */
function gatewayNodeFlags(): string[] {
  const flags = process.env['BENCH_GATEWAY_FLAGS'];
  return flags === undefined ? GATEWAY_NODE_FLAGS : flags.split(' ').filter(Boolean);
}

/** The gateway, built, in front of `runaiUrl`, with its default settings unless `env` says otherwise. */
export async function startGateway(runaiUrl: string, env: Record<string, string> = {}): Promise<Child> {
  buildGateway();
  const port = await freePort();
  return spawnUntil(
    [...gatewayNodeFlags(), process.env['BENCH_GATEWAY_ENTRY'] ?? 'dist/main.js'],
    // NODE_ENV=production as in the image: graphql-js drops its development-only checks (e.g. instanceOf).
    // The rate limit runs, but so high that one caller's thousands of requests per second never reach it.
    {
      RUNAI_URL: runaiUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      RATE_LIMIT_PER_MINUTE: '100000000',
      ...env,
    },
    () => undefined,
    `http://127.0.0.1:${port}`,
  );
}

/** A fast stand-in for Run:ai that answers single-pool GETs for any token (bench/stub-upstream.ts). */
export function startStubUpstream(): Promise<Child> {
  return spawnUntil(
    ['--import', 'tsx', 'bench/stub-upstream.ts'],
    {},
    (line) => /listening on (\S+)/.exec(line)?.[1],
  );
}

/** The bare graphql-yoga reference server (one resolver, one fetch) in front of `runaiUrl`. */
export function startReference(runaiUrl: string): Promise<Child> {
  return spawnUntil(
    ['--import', 'tsx', 'bench/reference-server.ts'],
    { RUNAI_URL: runaiUrl, NODE_ENV: 'production' },
    (line) => /listening on (\S+)/.exec(line)?.[1],
  );
}

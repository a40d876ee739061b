/**
 * The production install, as the image's runtime stage has it: `npm run build`, then the files the
 * Dockerfile's runtime stage copies, with `node_modules` from `npm ci --omit=dev`, in an empty folder
 * outside the repository, where nothing can resolve to the repository's devDependencies. The gateway runs
 * from there as the image runs it (`node dist/main.js`, NODE_ENV=production), in demo mode and in front of a
 * simulator; and every import of the compiled JavaScript, the lazily loaded ones included, must name a
 * dependency (or a builtin, or the workspace package) and resolve inside that folder.
 *
 * `npm run test:production` (vitest.production.config.ts); not part of `npm test`, since it builds and runs
 * `npm ci` against the registry.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Child, freePort, startSimulator } from '../../bench/lib/processes.js';
import { javascriptFiles, type PackageJson, scanFolder, verdict } from './imports.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The sources (relative to the build context, `/app`) and destinations of the runtime stage's `COPY --from=build`. */
function runtimeCopies(): { from: string; to: string }[] {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const runtime = dockerfile.split(/^FROM\s/m).at(-1) ?? '';
  return [...runtime.matchAll(/^COPY\s+(.*)$/gm)].map((m) => {
    const args = (m[1] ?? '').split(/\s+/).filter((a) => a && !a.startsWith('--'));
    expect(m[1], 'every runtime COPY takes one file or folder from the build stage').toMatch(
      /--from=build\b/,
    );
    expect(args).toHaveLength(2);
    const [from = '', to = ''] = args;
    expect(from.startsWith('/app/'), `${from} is under /app`).toBe(true);
    return { from: from.slice('/app/'.length), to: to.replace(/^\.\//, '') };
  });
}

/**
 * Copies a build output folder, leaving out what an earlier build left behind: a compiled file whose
 * source no longer exists (a clean checkout, as the image builds from, has none; a working tree may).
 */
function copyBuildOutput(from: string, to: string): void {
  const sources = join(dirname(from), 'src');
  cpSync(from, to, {
    recursive: true,
    filter: (path) => {
      const match = /^(.*)\.(js|js\.map|d\.ts|d\.ts\.map)$/.exec(relative(from, path));
      return !match || existsSync(join(sources, `${match[1]}.ts`));
    },
  });
}

/** Whatever env npm gave this process when it runs as `npm run test:production` is not the child's business. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^(npm_(config_local_prefix|config_loglevel|package_|lifecycle_)|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$)/.test(
          key,
        ),
    ),
  );
}

let dir = '';
let installSeconds = 0;

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: cleanEnv(),
  });
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'nodepool-gateway-production-')));
  cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  const copies = runtimeCopies();
  expect(copies.map((c) => c.from)).toEqual(expect.arrayContaining(['package.json', 'node_modules', 'dist']));
  for (const { from, to } of copies) {
    if (from === 'node_modules') continue; // made below, by npm ci --omit=dev
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    if (/(^|\/)dist$/.test(from)) copyBuildOutput(join(ROOT, from), join(dir, to));
    else cpSync(join(ROOT, from), join(dir, to), { recursive: true });
  }
  const started = performance.now();
  // The image's build stage runs `npm ci` and then `npm prune --omit=dev`: the same tree as this.
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: cleanEnv(),
  });
  installSeconds = (performance.now() - started) / 1000;
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the production install (npm ci --omit=dev, as the image)', () => {
  const root = () => readJson<PackageJson & { workspaces: string[] }>(join(dir, 'package.json'));
  /** Each compiled package: its folder in the install and its package.json. */
  const packages = () => [
    { dist: join(dir, 'dist'), pkg: root() },
    // Workspaces are `folder/*` patterns; the image holds those of its packages that it copies.
    ...root()
      .workspaces.flatMap((pattern) => {
        const parent = join(dir, pattern.replace(/\/\*$/, ''));
        return existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name)) : [];
      })
      .filter((folder) => existsSync(join(folder, 'package.json')))
      .map((folder) => ({
        dist: join(folder, 'dist'),
        pkg: readJson<PackageJson>(join(folder, 'package.json')),
      })),
  ];
  const workspaceNames = () => packages().map((p) => p.pkg.name);

  it('holds no devDependency', () => {
    console.log(`npm ci --omit=dev took ${installSeconds.toFixed(1)} s`);
    for (const name of ['typescript', 'vitest', '@biomejs/biome', 'vite', '@graphql-codegen/cli']) {
      expect(existsSync(join(dir, 'node_modules', name)), `${name} is installed`).toBe(false);
    }
    expect(existsSync(join(dir, 'node_modules/runai-simulator/dist/index.js'))).toBe(true);
  });

  it('compiled JavaScript imports only dependencies, Node.js builtins and the workspace package', () => {
    const bad: string[] = [];
    let bare = 0;
    for (const { dist, pkg } of packages()) {
      expect(javascriptFiles(dist).length, `${dist} holds JavaScript`).toBeGreaterThan(0);
      for (const site of scanFolder(dist)) {
        const v = verdict(site.specifier, pkg, workspaceNames());
        if (v === 'dependency' || v === 'workspace') bare++;
        if (v === 'devDependency' || v === 'undeclared' || v === 'unknown') {
          bad.push(
            `${relative(dir, join(dist, site.file))}:${site.line}: ${site.kind} ${site.specifier}: ${v}`,
          );
        }
      }
    }
    expect(bad).toEqual([]);
    expect(bare).toBeGreaterThan(20);
  });

  it('every package import resolves inside the install, lazily loaded ones included', () => {
    // Grouped by folder, resolved by Node.js itself (ESM rules, default conditions) from that folder.
    const byFolder = new Map<string, Set<string>>();
    for (const { dist, pkg } of packages()) {
      for (const { file, specifier } of scanFolder(dist)) {
        const v = verdict(specifier, pkg, workspaceNames());
        if (specifier === undefined || (v !== 'dependency' && v !== 'workspace')) continue;
        const folder = dirname(join(dist, file));
        byFolder.set(folder, (byFolder.get(folder) ?? new Set()).add(specifier));
      }
    }
    const script =
      'const r = {}; for (const s of JSON.parse(process.argv[1])) { try { r[s] = import.meta.resolve(s); } ' +
      "catch (e) { r[s] = 'not found: ' + e.code; } } process.stdout.write(JSON.stringify(r));";
    const outside: string[] = [];
    for (const [folder, specifiers] of byFolder) {
      const resolved = JSON.parse(
        execFileSync(
          process.execPath,
          ['--input-type=module', '-e', script, JSON.stringify([...specifiers])],
          {
            cwd: folder,
            env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
            encoding: 'utf8',
          },
        ),
      ) as Record<string, string>;
      for (const [specifier, url] of Object.entries(resolved)) {
        if (!url.startsWith(`${pathToFileURL(dir).href}/`)) {
          outside.push(`${relative(dir, folder)}: ${specifier} -> ${url}`);
        }
      }
    }
    expect(byFolder.size).toBeGreaterThan(0);
    expect(outside).toEqual([]);
  });

  it('serves in demo mode (no RUNAI_URL), with cluster workers', async () => {
    const server = await startInstalled({ WORKERS: '2' });
    await expectServes(server.url, {});
    expect(await server.stop()).toBe(0);
    expect(server.errorLines()).toEqual([]);
  });

  it('serves in front of a Run:ai simulator started from the repository (RUNAI_URL)', async () => {
    const simulator: Child = await startSimulator();
    try {
      const server = await startInstalled({ WORKERS: '1', RUNAI_URL: simulator.url });
      await expectServes(server.url, { authorization: 'Bearer demo-admin' });
      expect(await server.stop()).toBe(0);
      expect(server.errorLines()).toEqual([]);
    } finally {
      await simulator.stop();
    }
  });
});

interface Installed {
  url: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** Log lines at level error or fatal. */
  errorLines(): string[];
}

/** `node dist/main.js` in the install, as the image's CMD, with only the environment the image sets. */
async function startInstalled(env: Record<string, string>): Promise<Installed> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, NODE_ENV: 'production', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = once(proc, 'exit') as Promise<[number | null]>;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}:\n${output.join('')}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`not answering /healthz within 30 s:\n${output.join('')}`);
    }
    const ok = await fetch(`${url}/healthz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
    errorLines: () =>
      output
        .join('')
        .split('\n')
        .filter((line) => {
          if (!line.trim()) return false;
          try {
            return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
          } catch {
            return true; // not a log line: an uncaught error or a Node.js warning
          }
        }),
  };
}

/** A GraphQL query answers with pools, then /readyz is 200 and /metrics counts the query. */
async function expectServes(url: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      query: 'query ProductionInstall { nodePools(first: 5) { totalCount edges { node { name phase } } } }',
    }),
  });
  const body = (await res.json()) as {
    data?: { nodePools: { totalCount: number; edges: unknown[] } };
    errors?: unknown;
  };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.errors).toBeUndefined();
  expect(body.data?.nodePools.edges.length).toBeGreaterThan(0);

  const ready = await fetch(`${url}/readyz`);
  expect(ready.status, await ready.text()).toBe(200);

  const metrics = await fetch(`${url}/metrics`);
  expect(metrics.status).toBe(200);
  expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await metrics.text();
  expect(text).toMatch(/^graphql_operations_total\{operation="ProductionInstall",outcome="success"\} 1$/m);
  expect(text).toMatch(/^upstream_requests_total\{/m);
}

/**
 * The JavaScript snippets of docs/api.md that are whole programs (they start with an import), run on Node 20
 * as pasted, against a real gateway: only the URL changes. Each must print what the text promises and
 * nothing on stderr. Fragments of an app (they use the app's own functions) are not programs and are left out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackWith } from '../helpers/stack.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const SNIPPETS = [...readFileSync(join(ROOT, 'docs/api.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((match) => match[1] as string)
  .filter((code) => /^(\/\/.*\n)*import /.test(code));

/** Runs a program with tsx from inside the repository (so its imports resolve) for up to `ms`; returns its output. */
function run(code: string, ms: number): Promise<{ stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(ROOT, '.snippet-'));
  const file = join(dir, 'snippet.mts');
  writeFileSync(file, code);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ stdout, stderr });
    });
  });
}

describe('the docs’ JavaScript programs', () => {
  it('are found: Apollo Client with @defer, and graphql-ws', () => {
    expect(SNIPPETS.map((code) => /from '([^']+)'/.exec(code)?.[1])).toEqual([
      '@apollo/client/core/index.js',
      'graphql-ws',
    ]);
  });

  it('Apollo Client’s deferred dashboard prints the pools, then their GPU values', async () => {
    const stack = await stackWith();
    const code = (SNIPPETS[0] as string).replaceAll('http://localhost:4000', stack.url);
    const { stdout, stderr } = await run(code, 8_000);
    expect(stderr).toBe('');
    expect(stdout).toContain("'a100'");
  }, 20_000);

  it('graphql-ws on Node 20 connects and subscribes with no error', async () => {
    const stack = await stackWith({ pollIntervalMs: 500 });
    const code = (SNIPPETS[1] as string).replaceAll('ws://localhost:4000', stack.url.replace('http', 'ws'));
    const result = run(code, 6_000);
    // The subscription is live once the watcher of its token polls Run:ai.
    await expect
      .poll(() => stack.upstreamCalls()['get_nodepools'] ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const { stderr } = await result;
    expect(stderr).toBe('');
  }, 20_000);
});

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createSimulator, type Simulator } from 'runai-simulator';

/** A gateway running as a process of its own, as `npm start` runs it: a crash ends it, not the test runner. */
export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** Every JSON line it wrote to stdout. */
  lines: Record<string, unknown>[];
  /** What it wrote to stderr. */
  stderr: string[];
  /** Whether the process still runs. */
  readonly alive: boolean;
  stop(): Promise<void>;
}

/**
 * Starts `src/main.ts` with `env` (on a free loopback port) and resolves once
 * it logs `ready`. Stopping sends SIGTERM and waits for the exit.
 */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, WORKERS: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${stderr.join('')}`)), 20_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      lines.push(line);
      if (line['msg'] === 'ready' && typeof line['graphql'] === 'string') {
        clearTimeout(timer);
        resolve(line['graphql'].replace(/\/graphql$/, ''));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited early with ${code}: ${stderr.join('')}`));
    });
  });
  return {
    child,
    url,
    lines,
    stderr,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A simulator in this process and a gateway process in front of it (RUNAI_URL), with `env`. */
export async function gatewayOnSimulator(
  env: Record<string, string> = {},
): Promise<{ simulator: Simulator; gateway: GatewayProcess; stop(): Promise<void> }> {
  const simulator = createSimulator();
  await simulator.start(0, '127.0.0.1');
  const gateway = await startGatewayProcess({ RUNAI_URL: simulator.url, ...env });
  return {
    simulator,
    gateway,
    async stop() {
      await gateway.stop();
      await simulator.stop();
    },
  };
}

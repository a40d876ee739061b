import { parseArgs } from 'node:util';
import { simulatorOptionsFromEnv } from './env.js';
import { createSimulator } from './simulator.js';
import { DEFAULT_TOKENS } from './tokens.js';

/** Runs the simulator as a standalone process: `npm run simulator -- --port 4010 [--host 0.0.0.0] [--quiet]`. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      // Benchmarks: no line per request.
      quiet: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  const options = { ...simulatorOptionsFromEnv(process.env), logRequests: !values.quiet };
  const simulator = createSimulator(options);
  const url = await simulator.start(port, values.host);
  process.stdout.write(`Run:ai simulator listening on ${url}\n`);
  process.stdout.write(
    `Pools: ${options.pools ? `${options.pools} generated for tenant 1001` : 'demo seed'}\n`,
  );
  process.stdout.write('Tokens (Authorization: Bearer <token>):\n');
  for (const [token, entry] of Object.entries(options.tokens ?? DEFAULT_TOKENS)) {
    process.stdout.write(`  ${token.padEnd(16)} tenant ${entry.tenantId} ${entry.role}\n`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping simulator\n`);
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`simulator: stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});

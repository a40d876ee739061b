/**
 * A gateway (demo mode) configured from the environment that serves one
 * query, stops, and prints which `@opentelemetry` packages the process
 * loaded. Run by test/tracing.test.ts in a child process of its own.
 */
import { createRequire } from 'node:module';
import { buildApp } from '../../src/app/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logger.js';

const config = loadConfig(process.env, { rateLimitPerMinute: 0 });
const app = buildApp(config, { log: createLogger('silent') });
const url = await app.start(0, '127.0.0.1');
const res = await fetch(`${url}/graphql`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: '{ nodePools(first: 1) { edges { node { name } } } }' }),
});
await res.json();
await app.stop();
// Node loads these packages' CommonJS builds, also when imported from ESM: they are all in require's cache.
const loaded = new Set(
  Object.keys(createRequire(import.meta.url).cache).flatMap(
    (path) => /node_modules\/(@opentelemetry\/[^/]+)\//.exec(path)?.[1] ?? [],
  ),
);
console.log(JSON.stringify({ loaded: [...loaded].sort() }));
process.exit(0);

import { defaultServerConditions } from 'vite';

// Vite's server conditions include the bundlers' `module`, whose builds Node cannot load (e.g. @opentelemetry/api's
// extensionless ESM, which vitest and prom-client import when it is installed): resolve as Node does.
const nodeConditions = defaultServerConditions.filter((condition) => condition !== 'module');

import { defineConfig } from 'vitest/config';

/** `npm run test:redis`: the tests that need Debian's redis-server (started by the tests on a free port). */
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  // Same as vitest.config.ts: workspace packages from their TypeScript sources.
  ssr: { resolve: { conditions: ['development', ...nodeConditions] } },
  test: {
    include: ['test/redis/**/*.test.ts', 'test/**/*.redis.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

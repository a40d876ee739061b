import { defaultServerConditions } from 'vite';

// Vite's server conditions include the bundlers' `module`, whose builds Node cannot load (e.g. @opentelemetry/api's
// extensionless ESM, which vitest and prom-client import when it is installed): resolve as Node does.
const nodeConditions = defaultServerConditions.filter((condition) => condition !== 'module');

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql@16 ships CJS (main) and ESM (module). Node loads the CJS build for the dependencies that
    // vitest leaves external (graphql-yoga, Pothos); Vite would hand our own sources the ESM build, and two
    // copies of graphql break `instanceof GraphQLError`. Resolve it as Node does.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  // Workspace packages (runai-simulator) from their TypeScript sources, their "development" export, whatever
  // NODE_ENV says (Vite would pick "production" under NODE_ENV=production, and that needs a build).
  ssr: { resolve: { conditions: ['development', ...nodeConditions] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Each of these has its own config and npm script: test:browser, test:redis, test:production.
    exclude: [
      'test/browser/**',
      'test/**/*.browser.test.ts',
      'test/redis/**',
      'test/**/*.redis.test.ts',
      'test/production/**',
      'node_modules/**',
    ],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});

import { defaultServerConditions } from 'vite';
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
  ssr: { resolve: { conditions: ['development', ...defaultServerConditions] } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/**/*.browser.test.ts', 'test/redis/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});

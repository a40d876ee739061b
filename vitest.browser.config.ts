import { defaultServerConditions } from 'vite';

// Vite's server conditions include the bundlers' `module`, whose builds Node cannot load (e.g. @opentelemetry/api's
// extensionless ESM, which vitest and prom-client import when it is installed): resolve as Node does.
const nodeConditions = defaultServerConditions.filter((condition) => condition !== 'module');

import { defineConfig } from 'vitest/config';

// Real-browser tests (headless Debian Chromium driven by playwright-core): test/browser/** and any
// *.browser.test.ts. Kept apart from `vitest.config.ts`, which excludes them: they need /usr/bin/chromium (`apt-get install chromium`) and take seconds.
export default defineConfig({
  resolve: {
    // Same as vitest.config.ts: resolve graphql as Node does, so there is a single copy of it.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  // Same as vitest.config.ts: workspace packages from their TypeScript sources.
  ssr: { resolve: { conditions: ['development', ...nodeConditions] } },
  test: {
    include: ['test/browser/**/*.test.ts', 'test/**/*.browser.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

/**
 * `npm run test:production`: the production install (test/production/): builds, runs `npm ci --omit=dev` in
 * an empty folder and starts the compiled gateway from there. Kept out of `npm test` (vitest.config.ts).
 */
export default defineConfig({
  test: {
    include: ['test/production/**/*.test.ts'],
    testTimeout: 60_000,
    // The build and npm ci run in beforeAll; npm ci fetches from the registry when its cache is cold.
    hookTimeout: 600_000,
    pool: 'forks',
  },
});

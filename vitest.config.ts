import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/browser/**', 'node_modules/**'],
    // Integration suites start real servers (PostgreSQL, emulators); each file gets its own.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

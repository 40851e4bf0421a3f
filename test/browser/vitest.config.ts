/**
 * `npm run test:browser`: the dashboard in headless Chromium against the embedded runtime. Kept out of
 * `npm test` (vitest.config.ts excludes test/browser): it needs a Chromium on the machine.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});

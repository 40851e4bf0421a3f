/**
 * `npm run test:localstack`: the end-to-end test against a running LocalStack (test/e2e). Kept out of
 * `npm test` (vitest.config.ts excludes test/e2e): it needs LocalStack and deploys a stack.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    // One stack at a time: one worker, files one after the other, tests in order.
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false, shuffle: false },
    // A replay through kinesis-mock takes minutes; each step sets its own limit below these.
    testTimeout: 15 * 60_000,
    hookTimeout: 20 * 60_000,
    // No retries: a retried step would replay into the same stack and double-count the archive.
    retry: 0,
  },
});

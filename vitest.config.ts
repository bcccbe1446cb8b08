/**
 * Three test tiers, all run by `npm test`:
 *   unit        pure code, no servers
 *   workflows   the workflow on Temporal's time-skipping test server, and replay of committed histories
 *   integration the real Temporal dev server and the real Camunda engine, started by the global set-up
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.data/test-results.json' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'workflows',
          include: ['test/workflows/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // Two cores: one file at a time keeps timings sane; each file owns its topics and task queues.
          fileParallelism: false,
        },
      },
    ],
  },
});

/**
 * Five test projects, all run by `npm test`:
 *   unit        pure code and the API in-process (on an in-memory PGlite), no servers; and the examples' tests
 *   workflows   the workflow on Temporal's time-skipping test server, and replay of committed histories
 *   integration the real Temporal dev server and the real Camunda engine, started by the global set-up
 *   store       the configuration store on embedded PGlite and on a real PostgreSQL server (started by its set-up)
 *   browser     the web console in a real Chromium (Debian's, driven by playwright-core; test/support/browser.ts)
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: '.data/test-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'examples/**/*.test.ts'],
          // The API tests open an in-memory PGlite (its WASM compiles in a few seconds on a busy machine).
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
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
      {
        test: {
          name: 'store',
          include: ['test/store/**/*.test.ts'],
          // One throw-away PostgreSQL server for the project; each file has its own database and PGlite.
          globalSetup: ['test/store/global-setup.ts'],
          // Files share their worker process (each still opens its own PGlite and database): PGlite's WASM is
          // then compiled once per worker, not once per file, which halves the project's time.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One Chromium at a time on two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});

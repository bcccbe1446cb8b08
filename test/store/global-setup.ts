/**
 * Starts one throw-away PostgreSQL server for all store tests (each test file creates its own database on it)
 * and stops it at the end. BPTL_TEST_DATABASE_URL points the tests at an existing server instead (its user
 * needs CREATEDB). Without PostgreSQL's binaries this throws, and the store tests fail: they never skip.
 */
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../src/logging/logger.ts';
import { findPostgresBinaries, startPostgresServer } from '../support/postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a PostgreSQL database as a user that may CREATE DATABASE. */
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = createLogger('test-postgres', { level: 'info' });
  const external = process.env.BPTL_TEST_DATABASE_URL;
  if (external) {
    project.provide('postgresAdminUrl', external);
    log.info('store tests use an existing PostgreSQL server (BPTL_TEST_DATABASE_URL)');
    return async () => {};
  }
  const binaries = findPostgresBinaries();
  const server = await startPostgresServer({ binaries });
  // Should the test run be killed without its teardown, do not leave a server behind.
  const onExit = () => server.stopNow();
  process.once('exit', onExit);
  project.provide('postgresAdminUrl', server.adminUrl);
  log.info('PostgreSQL test server started', {
    version: binaries.version,
    bindir: binaries.bindir,
    port: server.port,
    startupMs: server.startupMs,
  });
  return async () => {
    process.off('exit', onExit);
    await server.stop();
  };
}

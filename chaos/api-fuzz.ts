/**
 * The API under a property-based fuzzer: `bptl api` as a child process (a fresh store, an admin token, the given
 * Temporal server), schemathesis driven by its own `/openapi.json`, and the figures of the chaos table's row —
 * 5xx answers (must be 0) and answers that do not match the document (must be 0).
 *
 * `POST /work-units/{name}/run` is left out: it runs real work units (HTTP calls, mail, Camunda) whose failures
 * answer 502/504 by design, which says nothing about the API. Schemathesis does not call the document's own
 * operation (`GET /openapi.json`), which it loads instead.
 */
import type { Logger } from '../src/logging/logger.ts';
import { startApiProcess } from './api-fuzz-api-process.ts';
import type { FuzzFailure } from './api-fuzz-report.ts';
import { runSchemathesis } from './api-fuzz-schemathesis.ts';

/** Operations the fuzzer does not call, with why. */
export const EXCLUDED_OPERATIONS: Readonly<Record<string, string>> = {
  runWorkUnit: 'runs real work units; their failures answer 502/504 by design',
};

export interface ApiFuzzResult {
  schemathesisVersion: string;
  /** Operations in the document that were exercised. */
  operations: number;
  /** Requests schemathesis made (from its report). */
  calls: number;
  /** Answers with status >= 500. */
  serverErrors: number;
  /** Answers that do not match the document (status not documented, body or content type not conforming). */
  mismatches: number;
  /** Requests that got no answer (time-out, connection refused): not in `calls`' statuses, a finding too. */
  errors: number;
  /** The first ~20 failures, for the report. */
  failures: FuzzFailure[];
  durationMs: number;
  /** The schemathesis command line (header values left out). */
  command: string;
}

export async function fuzzApi(options: {
  /** The project root. */
  root: string;
  /** Where logs and reports go: `api.log`, `schemathesis.ndjson`, `schemathesis.out.txt`. */
  outDir: string;
  /** A running Temporal server, for the endpoints that read workflows (/tasks). */
  temporalAddress: string;
  log: Logger;
  /** Test cases per operation and phase: small for the test suite, bigger for the full chaos run. @default 10 */
  maxExamples?: number;
  /** @default 1 */
  seed?: number;
}): Promise<ApiFuzzResult> {
  const started = performance.now();
  const api = await startApiProcess({
    root: options.root,
    temporalAddress: options.temporalAddress,
    outDir: options.outDir,
    log: options.log,
  });
  try {
    const run = await runSchemathesis({
      root: options.root,
      schemaUrl: `${api.url}/openapi.json`,
      headers: { Authorization: `Bearer ${api.token}` },
      outDir: options.outDir,
      log: options.log,
      maxExamples: options.maxExamples ?? 10,
      seed: options.seed ?? 1,
      excludeOperationIds: Object.keys(EXCLUDED_OPERATIONS),
    });
    return {
      schemathesisVersion: run.schemathesisVersion,
      operations: run.operations.length,
      calls: run.calls,
      serverErrors: run.serverErrors,
      mismatches: run.mismatches,
      errors: run.errors,
      failures: run.failures,
      durationMs: Math.round(performance.now() - started),
      command: run.command,
    };
  } finally {
    await api.stop();
  }
}

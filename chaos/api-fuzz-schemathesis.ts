/**
 * Runs schemathesis (PyPI, pinned in scripts/versions.sh, installed into .tools/venv by scripts/setup.sh) against
 * an OpenAPI document served at a URL, and reads its NDJSON report (api-fuzz-report.ts). Any target will do:
 * `fuzzApi` points it at a `bptl api` child, the checker's own test at a small server that misbehaves on purpose.
 *
 * The checks are the ones that mean "5xx" (not_a_server_error) and "does not match the document" (status code,
 * content type, headers and body against the document; input the document forbids accepted; an undeclared
 * method not a 405: CONFORMANCE_CHECKS). A 4xx for generated input that does not fit is fine as long as the
 * document declares that status for the operation.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../src/logging/logger.ts';
import {
  CONFORMANCE_CHECKS,
  readSchemathesisReport,
  type SchemathesisReport,
  SERVER_ERROR_CHECK,
} from './api-fuzz-report.ts';

export interface SchemathesisOptions {
  /** The project root (for .tools/venv/bin/schemathesis). */
  root: string;
  /** The OpenAPI document's URL; requests go to the same origin. */
  schemaUrl: string;
  /** Headers on every request, e.g. `{ Authorization: 'Bearer …' }` (schemathesis filters it from its reports). */
  headers?: Record<string, string>;
  /** Where the reports and schemathesis's output go (created). */
  outDir: string;
  log: Logger;
  /** Test cases per operation and phase. @default 10 */
  maxExamples?: number;
  /** The random seed, so that a run can be repeated. @default 1 */
  seed?: number;
  /** Operation ids not to call (e.g. one with side effects outside the API). */
  excludeOperationIds?: readonly string[];
  /** A request without an answer within this time is an error. @default 10000 */
  requestTimeoutMs?: number;
}

/** Where setup.sh installs schemathesis; BPTL_SCHEMATHESIS_BIN overrides. */
export function schemathesisBinary(root: string): string {
  const bin = process.env.BPTL_SCHEMATHESIS_BIN || path.join(root, '.tools/venv/bin/schemathesis');
  if (!existsSync(bin)) {
    throw new Error(
      `schemathesis is not installed at ${bin}: run scripts/setup.sh (it installs it into .tools/venv)`,
    );
  }
  return bin;
}

/** The command line (without the binary) for `options`. */
export function schemathesisArgs(options: SchemathesisOptions, ndjsonPath: string): string[] {
  const headers = Object.entries(options.headers ?? {}).flatMap(([name, value]) => [
    '--header',
    `${name}: ${value}`,
  ]);
  return [
    'run',
    options.schemaUrl,
    ...headers,
    '--checks',
    [SERVER_ERROR_CHECK, ...CONFORMANCE_CHECKS].join(','),
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    String(options.maxExamples ?? 10),
    '--seed',
    String(options.seed ?? 1),
    // One worker and no example database: the same seed makes the same requests.
    '--workers',
    '1',
    '--generation-database',
    'none',
    '--request-timeout',
    String((options.requestTimeoutMs ?? 10_000) / 1000),
    ...(options.excludeOperationIds ?? []).flatMap((id) => ['--exclude-operation-id', id]),
    '--report',
    'ndjson',
    '--report-ndjson-path',
    ndjsonPath,
    '--no-color',
  ];
}

/** A run's report, with the command line as it was run (headers' values left out) and its exit code. */
export interface SchemathesisRun extends SchemathesisReport {
  command: string;
  exitCode: number;
  durationMs: number;
}

/**
 * Runs schemathesis once and reads its report. Its exit code is 1 when a check failed, which is a finding, not
 * an error; a run that wrote no report (a bad option, a document it cannot load) throws with its output's tail.
 */
export async function runSchemathesis(options: SchemathesisOptions): Promise<SchemathesisRun> {
  await mkdir(options.outDir, { recursive: true });
  const bin = schemathesisBinary(options.root);
  const ndjsonPath = path.join(options.outDir, 'schemathesis.ndjson');
  const args = schemathesisArgs(options, ndjsonPath);
  const command = [
    'schemathesis',
    ...args.map((arg, i) => (args[i - 1] === '--header' ? `'${arg.split(':')[0]}: …'` : arg)),
  ].join(' ');
  options.log.info('schemathesis', { command });
  const started = performance.now();
  const child = spawn(bin, args, {
    cwd: options.outDir, // schemathesis.toml and any cache it writes stay out of the project
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const durationMs = Math.round(performance.now() - started);
  await writeFile(path.join(options.outDir, 'schemathesis.out.txt'), output);
  if (!(await readdir(options.outDir)).includes(path.basename(ndjsonPath))) {
    throw new Error(`schemathesis exited with ${exitCode} and wrote no report:\n${output.slice(-3000)}`);
  }
  const report = await readSchemathesisReport(ndjsonPath);
  options.log.info('schemathesis done', {
    exitCode,
    durationMs,
    calls: report.calls,
    operations: report.operations.length,
    serverErrors: report.serverErrors,
    mismatches: report.mismatches,
    errors: report.errors,
  });
  return { ...report, command, exitCode, durationMs };
}

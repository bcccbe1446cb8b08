#!/usr/bin/env node
/**
 * `npm run bench`: measures BPTL against a bare Camunda worker (baseline) and against empty workflows on the
 * same Temporal server (ceiling), in one run, with the same N and parallelism. See docs/benchmarks.md.
 */
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureError } from '../src/errors.ts';
import { createLogger } from '../src/logging/logger.ts';
import { runBaseline } from './baseline.ts';
import { runBptl } from './bptl.ts';
import { stopAllBptl } from './bptl-process.ts';
import { CamundaTasks } from './camunda-tasks.ts';
import { runCeiling } from './ceiling.ts';
import { describeEnvironment } from './environment.ts';
import type { BenchContext, Measurement } from './measurement.ts';
import { type MeasurementName, parseBenchArgs, USAGE } from './options.ts';
import { pidListeningOn, portOf } from './pids.ts';
import { type BenchResult, computeRatios, evaluateTargets, renderText, writeResult } from './report.ts';
import { benchServers } from './servers.ts';
import { warmUp } from './warmup.ts';

const runners: Record<MeasurementName, (ctx: BenchContext) => Promise<Measurement>> = {
  baseline: runBaseline,
  ceiling: runCeiling,
  bptl: runBptl,
};

/** Runs the bench; returns the exit code (0: every measurement ran; 1: one failed). */
export async function main(argv: string[]): Promise<number> {
  const root = path.resolve(import.meta.dirname, '..');
  let parsed: ReturnType<typeof parseBenchArgs>;
  try {
    parsed = parseBenchArgs(argv, root);
  } catch (error) {
    console.error(`bench: ${ensureError(error).message}\n\nUsage: ${USAGE}`);
    return 2;
  }
  if (!parsed) {
    console.log(`Usage: ${USAGE}`);
    return 0;
  }
  const options = parsed;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already (main called twice in one process)
  }
  const log = createLogger('bench', { level: 'info' });
  const startedAt = new Date();
  const runId = `${startedAt.getTime().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const logDir = path.join(options.outDir, 'logs');
  await mkdir(logDir, { recursive: true });

  log.info('starting', { runId, mode: options.mode, n: options.n, parallelism: options.parallelism });
  const servers = await benchServers(options, root, log);
  const onSignal = () => {
    log.warn('interrupted: stopping the servers this run started');
    void stopAllBptl()
      .then(() => servers.stop())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const tasks = new CamundaTasks(servers.camundaUrl);
    const port = (address: string) => {
      const p = portOf(address);
      return p === undefined ? undefined : pidListeningOn(p);
    };
    const ctx: BenchContext = {
      options,
      runId,
      temporalAddress: servers.temporalAddress,
      camundaUrl: servers.camundaUrl,
      tasks,
      serverPids: { temporal: port(servers.temporalAddress), camunda: port(servers.camundaUrl) },
      logDir,
      root,
    };
    const environment = await describeEnvironment(root, {
      temporalAddress: servers.temporalAddress,
      camundaVersion: () => tasks.version(),
    });
    await warmUp(ctx, options.warmup);
    const measurements: BenchResult['measurements'] = {};
    let failed = false;
    for (const name of options.only) {
      log.info(`measuring ${name}`);
      try {
        const mark = servers.camundaAccessLog?.mark();
        const measurement = await runners[name](ctx);
        if (servers.camundaAccessLog && mark !== undefined && name !== 'ceiling') {
          measurement.camundaRequests = servers.camundaAccessLog.since(mark);
        }
        measurements[name] = measurement;
      } catch (error) {
        failed = true;
        log.error(`${name} failed`, { error: ensureError(error).message });
        console.error(error);
      }
      // Let the servers settle (history clean-up, GC) before the next measurement.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const ratios = computeRatios(measurements);
    const { outDir: _, ...flags } = options;
    const finishedAt = new Date();
    const result: BenchResult = {
      runId,
      command: argv.join(' '),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
      flags,
      environment,
      servers: {
        temporalAddress: servers.temporalAddress,
        camundaUrl: servers.camundaUrl,
        started: servers.started,
      },
      loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      measurements,
      ratios,
      targets: evaluateTargets(options, measurements, ratios),
    };
    const file = await writeResult(options.outDir, result);
    console.log(`\n${renderText(result)}\n\nResults: ${file} (and latest.json, latest.md beside it)`);
    return failed ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await servers.stop();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // A long poll of the bare client may still be open; do not wait for it.
      setTimeout(() => process.exit(code), 1_000).unref();
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

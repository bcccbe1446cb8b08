#!/usr/bin/env node
/**
 * `npm run chaos`: faults injected into a live stream of tasks through the real stack (Camunda, Temporal,
 * `bptl run` processes), and a table of what became of every task: lost, duplicated, side effects applied and
 * calls made, incidents, recovery time, peak memory. See docs/reliability.md.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { stopAllBptl } from '../bench/bptl-process.ts';
import { describeEnvironment } from '../bench/environment.ts';
import { codecDataConverter } from '../src/codec/data-converter.ts';
import { loadEnv } from '../src/config/env.ts';
import { CamundaClient } from '../src/engine/camunda-client.ts';
import { ensureError } from '../src/errors.ts';
import { createLogger } from '../src/logging/logger.ts';
import { type ApiFuzzResult, fuzzApi } from './api-fuzz.ts';
import { driveScenario, type Row } from './drive.ts';
import { parseChaosArgs, USAGE } from './options.ts';
import { type ChaosResult, renderText, updateDoc, writeResult } from './report.ts';
import { allScenarios } from './scenarios/index.ts';
import { startChaosServers } from './servers.ts';

export async function main(argv: string[]): Promise<number> {
  const root = path.resolve(import.meta.dirname, '..');
  // The scenarios run several bptl processes at once (they inherit this environment): their health servers
  // would all want BPTL_HEALTH_PORT's default, and the second would not start.
  process.env.BPTL_HEALTH_PORT ??= 'off';
  let options: ReturnType<typeof parseChaosArgs>;
  try {
    options = parseChaosArgs(argv, root);
  } catch (error) {
    console.error(`chaos: ${ensureError(error).message}\n\nUsage: ${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(`Usage: ${USAGE}`);
    return 0;
  }
  const opts = options;
  const scenarios = allScenarios.filter(
    (s) =>
      (opts.only ? opts.only.includes(s.name) : s.profiles.includes(opts.profile)) &&
      !opts.skip.includes(s.name),
  );
  const unknown = [...(opts.only ?? []), ...opts.skip].filter((n) => !allScenarios.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(
      `chaos: no scenario named ${unknown.join(', ')}; there are: ${allScenarios.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed already
  }
  const log = createLogger('chaos', { level: 'warn' });
  const startedAt = new Date();
  const runId = `${startedAt.getTime().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const runDir = path.join(opts.outDir, 'runs', runId);
  const logDir = path.join(runDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(`chaos: run ${runId}, profile ${opts.profile}, ${scenarios.length} scenarios; logs in ${logDir}`);

  const servers = await startChaosServers({
    dataDir: path.join(runDir, 'servers'),
    ...(opts.ports ? { ports: opts.ports } : {}),
    log,
  });
  const onSignal = () => {
    say('chaos: interrupted; stopping what this run started');
    void stopAllBptl()
      .then(() => servers.stop())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const camunda = new CamundaClient({ baseUrl: servers.camundaUrl, timeoutMs: 60_000 });
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: servers.temporalAddress });
    // The codec keys of the bptl children (which inherit this environment), to read their payloads.
    const temporal = new Client({
      connection,
      namespace: 'default',
      dataConverter: codecDataConverter(loadEnv().codecKeys),
    });
    const environment = await describeEnvironment(root, {
      temporalAddress: servers.temporalAddress,
      camundaVersion: async () => (await camunda.get<{ version: string }>('/version')).version,
    });
    const rows: Row[] = [];
    for (const [i, scenario] of scenarios.entries()) {
      const prefix = `chaos [${i + 1}/${scenarios.length}] ${scenario.name}`;
      say(`${prefix}: ${scenario.title}`);
      try {
        const row = await driveScenario(scenario, {
          profile: opts.profile,
          runId,
          root,
          logDir,
          servers,
          camunda,
          temporal,
          log,
          progress: (line) => say(`${prefix}: ${line}`),
        });
        rows.push(row);
        say(
          `${prefix}: ${row.problems.length === 0 ? 'ok' : `FAILED (${row.problems.join('; ')})`}: ${row.tasks} tasks, lost ${row.lost}, duplicated ${row.duplicated}, recovery ${(row.recoveryMs / 1000).toFixed(1)} s`,
        );
      } catch (error) {
        say(`${prefix}: could not run: ${ensureError(error).stack ?? ensureError(error).message}`);
        rows.push({
          scenario: scenario.name,
          title: scenario.title,
          tasks: 0,
          completed: 0,
          incidents: 0,
          gone: 0,
          lost: 0,
          duplicated: 0,
          effectsApplied: 0,
          calls: 0,
          recoveryMs: 0,
          peakRssMiB: 0,
          workflowsOpen: 0,
          incidentMessages: {},
          problems: [`could not run: ${ensureError(error).message}`],
          examples: [],
          durationMs: 0,
        });
      }
      // A fault may have left a server down (a failed restart): bring it back before the next scenario.
    }
    let apiFuzz: ApiFuzzResult | { error: string } | undefined;
    if (opts.fuzz && !opts.only) {
      say('chaos: the API under schemathesis');
      try {
        apiFuzz = await fuzzApi({
          root,
          outDir: path.join(runDir, 'api-fuzz'),
          temporalAddress: servers.temporalAddress,
          log,
          maxExamples: opts.profile === 'full' ? 50 : 5,
        });
      } catch (error) {
        apiFuzz = { error: ensureError(error).message };
      }
    }
    const failed = rows.filter((r) => r.problems.length > 0).map((r) => r.scenario);
    if (apiFuzz && ('error' in apiFuzz || apiFuzz.serverErrors > 0 || apiFuzz.mismatches > 0))
      failed.push('api-fuzz');
    const result: ChaosResult = {
      runId,
      profile: opts.profile,
      command: ['npm run chaos --', ...argv].join(' '),
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      environment,
      rows,
      ...(apiFuzz ? { apiFuzz } : {}),
      failed,
    };
    const file = await writeResult(opts.outDir, result);
    if (opts.doc) await updateDoc(path.join(root, 'docs', 'reliability.md'), result);
    console.log(`\n${renderText(result)}\n\nResults: ${file} (and latest.json, latest.md beside it)`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await connection?.close().catch(() => {});
    await servers.stop();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), 1_000).unref();
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

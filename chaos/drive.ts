/**
 * Runs one scenario: deploys its process, starts its `bptl run` processes, streams its tasks, injects its
 * fault, waits for every task to settle, and checks the outcome. Returns the table row.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { CamundaClient } from '../src/engine/camunda-client.ts';
import { ensureError } from '../src/errors.ts';
import type { Logger } from '../src/logging/logger.ts';
import { externalTaskProcess } from '../test/support/bpmn.ts';
import { type BptlFleet, CHAOS_ENGINE, startFleet } from './bptl-fleet.ts';
import { check, pendingTasks, type Verdict } from './check.ts';
import { startLedger } from './ledger.ts';
import type { FaultWindow, Profile, Scenario, ScenarioContext } from './scenario.ts';
import type { ChaosServers } from './servers.ts';
import { ledgerVariables, startStream } from './stream.ts';

/** One row of the table: the checker's verdict (without the per-task list) and what the run measured. */
export interface Row extends Omit<Verdict, 'instances'> {
  scenario: string;
  title: string;
  /** From the end of the fault to the terminal state of the last task created before it ended. */
  recoveryMs: number;
  peakRssMiB: number;
  fault?: FaultWindow;
  /** Why the row failed; empty when it passed. */
  problems: string[];
  /** Instances that were lost or duplicated, for the report (at most 10). */
  examples: Array<{ seq: string; fate: string; why?: string | undefined; completions: number }>;
  durationMs: number;
}

/** The topic settings every scenario starts from: short locks and heartbeats, so that recovery is quick. */
export const CHAOS_TOPIC_DEFAULTS = {
  workUnit: 'http-request',
  lockDurationMs: 15_000,
  heartbeatTimeoutMs: 5_000,
} as const;

export interface DriveContext {
  profile: Profile;
  runId: string;
  root: string;
  logDir: string;
  servers: ChaosServers;
  camunda: CamundaClient;
  temporal: Client;
  log: Logger;
  /** One progress line (the runner prefixes it). */
  progress(line: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runningWorkflows(temporal: Client, topic: string): Promise<number> {
  const { count } = await temporal.workflow.count(`BptlTopic = '${topic}' AND ExecutionStatus = 'Running'`);
  return count;
}

async function openIncidents(camunda: CamundaClient, processKey: string): Promise<number> {
  const { count } = await camunda.get<{ count: number }>('/incident/count', {
    processDefinitionKeyIn: processKey,
  });
  return count;
}

async function succeeded(camunda: CamundaClient, topic: string): Promise<number> {
  const { count } = await camunda.get<{ count: number }>('/history/external-task-log/count', {
    topicName: topic,
    successLog: true,
  });
  return count;
}

export async function driveScenario(scenario: Scenario, ctx: DriveContext): Promise<Row> {
  const began = Date.now();
  const plan = scenario.plan(ctx.profile);
  const topic = `chaos-${scenario.name}-${ctx.runId}`;
  const processKey = topic;
  const { camunda, temporal } = ctx;
  await camunda.deploy(processKey, [
    {
      filename: `${processKey}.bpmn`,
      content: externalTaskProcess({ key: processKey, topic, ...plan.bpmn }),
    },
  ]);
  const fleet: BptlFleet = await startFleet({
    root: ctx.root,
    logDir: ctx.logDir,
    name: scenario.name,
    temporalAddress: ctx.servers.bptlTemporalAddress,
    camundaUrl: ctx.servers.bptlCamundaUrl,
    taskQueue: `chaos-${scenario.name}-${ctx.runId}`,
    topics: [{ topic, engine: CHAOS_ENGINE, ...CHAOS_TOPIC_DEFAULTS, ...plan.topic }],
    // The ledger (the API the units call) is on loopback, which the outbound policy refuses unless allowed.
    env: { BPTL_OUTBOUND_ALLOWED_NETWORKS: '127.0.0.1/32', ...plan.env },
  });
  // A ledger of the scenario's own (its counts and holds concern this stream only), started last: the finally
  // below closes it, with the fleet, whatever fails from here on.
  const ledger = await startLedger();
  const removed = new Map<string, number>();
  const restarts: Array<Promise<unknown>> = [];
  const problems: string[] = [];
  let ticker: NodeJS.Timeout | undefined;
  try {
    await Promise.all((plan.workerIds ?? [`chaos-${scenario.name}`]).map((id) => fleet.start(id)));
    const stream = startStream({
      camundaUrl: ctx.servers.camundaUrl,
      processKey,
      tasks: plan.tasks,
      ratePerSec: plan.ratePerSec,
      variables: (seq) =>
        ledgerVariables(ledger.url, seq, {
          delayMs: typeof plan.unitDelayMs === 'function' ? plan.unitDelayMs(seq) : plan.unitDelayMs,
          answerBytes: typeof plan.answerBytes === 'function' ? plan.answerBytes(seq) : plan.answerBytes,
          extra: plan.variables?.(seq),
        }),
      ...(plan.rawVariables ? { rawVariables: plan.rawVariables } : {}),
    });
    let fault: FaultWindow | undefined;
    ticker = setInterval(() => {
      void Promise.all([succeeded(camunda, topic), pendingTasks(camunda, topic)]).then(
        ([done, pending]) => {
          const since = fault ? `, fault ended ${Math.round((Date.now() - fault.endAt) / 1000)} s ago` : '';
          ctx.progress(
            `${stream.instances.size}/${plan.tasks} created, ${done} completed, ${pending} pending, ${ledger.calls.length} ledger calls${since}`,
          );
        },
        () => ctx.progress('(the engine does not answer)'),
      );
    }, 5_000);
    const scenarioCtx: ScenarioContext = {
      name: scenario.name,
      profile: ctx.profile,
      topic,
      processKey,
      servers: ctx.servers,
      ledger,
      stream,
      fleet,
      plan,
      camunda,
      temporal,
      log: ctx.log,
      removed: (seq, at) => removed.set(seq, at ?? Date.now()),
      restart: (workerId) => {
        restarts.push(
          fleet.start(workerId).catch((error: unknown) => {
            problems.push(`the replacement bptl run did not start: ${ensureError(error).message}`);
          }),
        );
      },
    };
    try {
      fault = await scenario.inject(scenarioCtx);
    } catch (error) {
      problems.push(`the fault was not injected: ${ensureError(error).message}`);
    }
    await stream.done.catch((error: unknown) => {
      problems.push(`the stream could not start every task: ${ensureError(error).message}`);
    });
    await Promise.all(restarts);

    // Settle: no task of the topic has retries left without an incident, and no workflow runs that is not
    // waiting on an incident.
    const deadline = Math.max(Date.now(), fault?.endAt ?? 0) + (plan.settleMs ?? 240_000);
    for (;;) {
      try {
        const pending = await pendingTasks(camunda, topic);
        if (pending === 0) {
          const [running, incidents] = await Promise.all([
            runningWorkflows(temporal, topic),
            openIncidents(camunda, processKey),
          ]);
          if (running <= incidents) break;
        }
      } catch {
        // the engine or Temporal restarting: look again
      }
      if (Date.now() > deadline) {
        problems.push(`not settled ${Math.round((plan.settleMs ?? 240_000) / 1000)} s after the fault`);
        break;
      }
      await sleep(1_000);
    }
    clearInterval(ticker);
    ticker = undefined;

    const verdict: Verdict = await check({
      camunda,
      temporal,
      topic,
      processKey,
      instances: stream.instances.values(),
      removed,
      ledger: ledger.summary([...stream.instances.keys()]),
    });
    const fates = scenario.fates ?? ['completed'];
    for (const fate of ['completed', 'incident', 'gone'] as const) {
      const n =
        fate === 'completed' ? verdict.completed : fate === 'incident' ? verdict.incidents : verdict.gone;
      if (n > 0 && !fates.includes(fate)) problems.push(`${n} tasks ended as ${fate}`);
    }
    if (verdict.lost > 0) problems.push(`${verdict.lost} lost`);
    if (verdict.duplicated > 0) problems.push(`${verdict.duplicated} duplicated`);
    if (verdict.workflowsOpen > 0) problems.push(`${verdict.workflowsOpen} workflows still running`);
    if (verdict.tasks !== plan.tasks) problems.push(`${verdict.tasks} of ${plan.tasks} tasks were created`);
    problems.push(...(scenario.expect?.(verdict) ?? []));
    if (!fault) problems.push('no fault window');

    const byFault = fault
      ? [...stream.instances.values()].filter((i) => i.createdAt <= (fault?.endAt ?? 0)).map((i) => i.seq)
      : [];
    const affected = new Set(byFault);
    const lastTerminal = Math.max(
      0,
      ...verdict.instances.filter((v) => affected.has(v.seq) && v.terminalAt).map((v) => v.terminalAt ?? 0),
    );
    return {
      scenario: scenario.name,
      title: scenario.title,
      tasks: verdict.tasks,
      completed: verdict.completed,
      incidents: verdict.incidents,
      gone: verdict.gone,
      lost: verdict.lost,
      duplicated: verdict.duplicated,
      effectsApplied: verdict.effectsApplied,
      calls: verdict.calls,
      recoveryMs: fault ? Math.max(0, lastTerminal - fault.endAt) : 0,
      peakRssMiB: fleet.peakRssMiB(),
      workflowsOpen: verdict.workflowsOpen,
      ...(fault ? { fault } : {}),
      incidentMessages: verdict.incidentMessages,
      problems,
      examples: verdict.instances
        .filter((v) => v.fate === 'lost' || v.completions > 1)
        .slice(0, 10)
        .map((v) => ({ seq: v.seq, fate: v.fate, why: v.why, completions: v.completions })),
      durationMs: Date.now() - began,
    };
  } finally {
    if (ticker) clearInterval(ticker);
    await Promise.allSettled(restarts);
    await fleet.stop();
    await ledger.close();
    ctx.log.info('scenario done', { scenario: scenario.name, logs: path.join(ctx.logDir) });
  }
}

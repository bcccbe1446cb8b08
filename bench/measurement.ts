/**
 * What every measurement reports, and the context it runs in. Throughput and latency of the task-based
 * measurements (baseline, BPTL) are computed alike, from Camunda's history.
 */

import type { RequestCounts } from './camunda-requests.ts';
import type { CamundaTasks, TaskOutcome } from './camunda-tasks.ts';
import type { CpuUsage } from './cpu.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import type { BenchOptions, MeasurementName } from './options.ts';
import type { RssSummary } from './rss.ts';
import { type LatencySummary, perSecond, summarize } from './stats.ts';

export interface BenchContext {
  options: BenchOptions;
  /** Unique per run: part of every topic, task queue and worker id. */
  runId: string;
  temporalAddress: string;
  camundaUrl: string;
  tasks: CamundaTasks;
  /** Pids of the servers (found by their ports), for CPU figures. */
  serverPids: { temporal: number | undefined; camunda: number | undefined };
  /** Where the children's logs go. */
  logDir: string;
  /** The project root. */
  root: string;
}

export interface BptlDetails {
  /** Tasks whose workflow memo says the lock was taken again after it expired. */
  relockedTasks: number;
  /** Fetches beyond one per task (a task offered again after its lock expired). */
  extraFetches: number;
  /** relockedTasks + extraFetches. */
  lockExpiries: number;
  /** Workflow ids with more than one run. */
  workflowIdsWithSeveralRuns: number;
  workflows: number;
  /** Workflows per BptlOutcome (and per status when not completed). */
  outcomes: Record<string, number>;
  poller: Record<string, number> | undefined;
  rss: RssSummary;
  /** BPTL's processes, as named in rss, cpu and startupMs: `bptl` (bptl run), or `worker` and `poller` (--split). */
  processes: string[];
  /** RSS per process once all were ready, before any task (start-up cost). */
  rssAtStartMiB: Record<string, number>;
  /** Run from a tsc build instead of the TypeScript sources. */
  fromBuild: boolean;
  /** Per process: spawn → ready ("worker running" and/or "polling" logged). */
  startupMs: Record<string, number>;
  /** With --cpu-prof: where the profiles are, and where their JavaScript time went. */
  cpuProfile?: { dir: string; summary: ProfileSummary };
}

export interface Measurement {
  name: MeasurementName;
  n: number;
  parallelism: number;
  /** Tasks completed exactly once (ceiling: workflows completed). */
  completed: number;
  /** Tasks completed more than once, plus workflow ids run more than once (BPTL). */
  duplicates: number;
  /** The measurement gave up waiting (no progress for the stall time-out). */
  stalled: boolean;
  throughputPerSec: number;
  windowMs: number;
  /** How the throughput window was taken. */
  window: string;
  /** How long creating the tasks took (and its rate): throughput cannot exceed it in the default mode. */
  creation?: { ms: number; ratePerSec: number };
  /** Creation → completion per task under load (ceiling: workflow start → close). */
  latencyMs: LatencySummary;
  /** One task at a time: creation → completion. */
  lowRate?: { m: number; latencyMs: LatencySummary };
  /** CPU during the throughput phase. */
  cpu?: CpuUsage;
  bptl?: BptlDetails;
  /** The REST calls the engine received during the measurement, by kind (its access log; camunda-requests.ts). */
  camundaRequests?: RequestCounts;
  ceiling?: { eagerlyStarted: number };
  notes: string[];
}

/**
 * Throughput of a task-based measurement. Default and --long: completed / (last completion − first
 * creation), creation running concurrently. --burst: n / (last completion − start of the worker).
 */
export function taskThroughput(
  outcome: TaskOutcome,
  ctx: BenchContext,
  workerStartedMs: number,
): Pick<Measurement, 'throughputPerSec' | 'windowMs' | 'window'> {
  const burst = ctx.options.mode === 'burst';
  const from = burst ? workerStartedMs : outcome.firstCreatedMs;
  const windowMs = Math.max(0, outcome.lastSucceededMs - from);
  return {
    windowMs,
    throughputPerSec: perSecond(outcome.completedOnce, windowMs),
    window: burst ? 'worker start → last completion' : 'first creation → last completion',
  };
}

export function lowRateOf(outcome: TaskOutcome, m: number): NonNullable<Measurement['lowRate']> {
  return { m, latencyMs: summarize(outcome.latenciesMs) };
}

/**
 * BPTL: the same external tasks through the poller, the external-task workflow and the `noop` work unit
 * (`sleep` in --long mode), with `bptl run` (or, with --split, `bptl worker` and `bptl poller`) as child
 * processes whose memory is sampled.
 *
 * Also counts what must not happen: lock expiries (workflows whose memo says the lock was taken again, and
 * fetches beyond one per task) and duplicate executions (tasks completed twice, workflow ids run twice).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { codecDataConverter } from '../src/codec/data-converter.ts';
import { loadEnv } from '../src/config/env.ts';
import { WORKFLOW_THREAD_PRELOAD } from '../src/worker/workflow-stack-traces.ts';
import { BptlOutcome } from '../src/workflows/search-attributes.ts';
import { type BptlProcess, spawnBptl } from './bptl-process.ts';
import { startCpuMeter } from './cpu.ts';
import { type ProfileSummary, profileFiles, readProfiles, summarizeProfiles } from './cpu-profile.ts';
import {
  type BenchContext,
  type BptlDetails,
  lowRateOf,
  type Measurement,
  taskThroughput,
} from './measurement.ts';
import { type BenchOptions, taskVariables } from './options.ts';
import { progress } from './progress.ts';
import { RssSampler, readRssMiB } from './rss.ts';
import { perSecond, summarize } from './stats.ts';

const ENGINE = 'bench';

interface WorkflowTally {
  workflows: number;
  idsWithSeveralRuns: number;
  relocked: number;
  outcomes: Record<string, number>;
}

/** Lists a topic's workflows: runs per id, lock memo, outcomes. */
async function tallyWorkflows(client: Client, topic: string): Promise<WorkflowTally> {
  const runs = new Map<string, number>();
  const outcomes: Record<string, number> = {};
  let relocked = 0;
  let workflows = 0;
  for await (const wf of client.workflow.list({ query: `BptlTopic = '${topic}'` })) {
    workflows++;
    runs.set(wf.workflowId, (runs.get(wf.workflowId) ?? 0) + 1);
    const lock = (wf.memo as { lock?: { status?: string } } | undefined)?.lock;
    if (lock?.status === 'relocked') relocked++;
    const outcome = wf.typedSearchAttributes.get(BptlOutcome);
    const key = wf.status.name === 'COMPLETED' ? String(outcome ?? 'none') : wf.status.name.toLowerCase();
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return {
    workflows,
    idsWithSeveralRuns: [...runs.values()].filter((n) => n > 1).length,
    relocked,
    outcomes,
  };
}

/** Waits (at most `timeoutMs`) until none of the topics' workflows runs any more. */
async function waitForWorkflowsClosed(client: Client, topics: string[], timeoutMs: number): Promise<number> {
  const query = `(${topics.map((t) => `BptlTopic = '${t}'`).join(' OR ')}) AND ExecutionStatus = 'Running'`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count === 0 || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Builds BPTL with tsc (tsconfig.build.json) into the results folder, as production runs it (no type
 * stripping at start, the prebuilt workflow bundle); returns the built entry point. Inside the project, so node_modules resolve.
 */
async function buildBptl(ctx: BenchContext): Promise<string> {
  const outDir = path.join(ctx.options.outDir, 'dist');
  const tsc = path.join(ctx.root, 'node_modules', '.bin', 'tsc');
  try {
    execFileSync(tsc, ['-p', path.join(ctx.root, 'tsconfig.build.json'), '--outDir', outDir], {
      cwd: ctx.root,
      stdio: 'pipe',
    });
  } catch {
    // tsc exits non-zero on type errors but emits all the same; a missing entry point is the real failure.
  }
  const entry = path.join(outDir, 'cli', 'main.js');
  if (!existsSync(entry)) throw new Error(`the build did not produce ${entry}`);
  // What `npm run build` copies besides tsc's output.
  await copyFile(
    WORKFLOW_THREAD_PRELOAD,
    path.join(outDir, 'worker', path.basename(WORKFLOW_THREAD_PRELOAD)),
  );
  // And the workflow bundle it writes, which the built worker loads instead of bundling at start.
  execFileSync(
    process.execPath,
    [
      path.join(ctx.root, 'scripts', 'bundle-workflows.ts'),
      '--from',
      path.join(outDir, 'workflows', 'index.js'),
      '--out',
      path.join(outDir, 'workflow-bundle.js'),
    ],
    { cwd: ctx.root, stdio: 'pipe' },
  );
  return entry;
}

/** The summary of the profiles the children wrote (they write them as they exit), or an empty one with a note. */
function cpuProfileOf(
  dir: string,
  startupMs: Record<string, number>,
  notes: string[],
): { dir: string; summary: ProfileSummary } {
  const files = existsSync(dir) ? profileFiles([dir]) : [];
  if (files.length === 0) notes.push(`--cpu-prof: no profile in ${dir}`);
  // The start-up (spawn → ready) is not part of the measurement; the slowest process's is left out of all.
  const skipMs = Math.max(0, ...Object.values(startupMs));
  return { dir, summary: summarizeProfiles(readProfiles(files), 20, skipMs) };
}

interface PlannedProcess {
  name: string;
  command: 'run' | 'worker' | 'poller';
  /** It is ready once it has logged each of these. */
  ready: string[];
  env: Record<string, string>;
}

/**
 * Which BPTL processes a measurement starts: one `bptl run` (poller and worker, eager starts); `bptl worker` and
 * `bptl poller` with --split; K `bptl run` with --runs K, each with its own worker id and no health server (they
 * would all want port 9464), on the same topics and task queue, as a second replica would run.
 */
export function bptlPlan(options: Pick<BenchOptions, 'split' | 'runs'>, workerId: string): PlannedProcess[] {
  if (options.split)
    return [
      { name: 'worker', command: 'worker', ready: ['worker running'], env: {} },
      { name: 'poller', command: 'poller', ready: ['polling'], env: {} },
    ];
  if (options.runs === 1)
    return [{ name: 'bptl', command: 'run', ready: ['worker running', 'polling'], env: {} }];
  return Array.from({ length: options.runs }, (_, i) => ({
    name: `bptl-${i + 1}`,
    command: 'run' as const,
    ready: ['worker running', 'polling'],
    env: { BPTL_WORKER_ID: `${workerId}-bptl-${i + 1}`, BPTL_HEALTH_PORT: 'off' },
  }));
}

/**
 * The pollers' final counters (their `stopped` log record), summed over the polling processes; undefined when one
 * of them did not log it (it was killed), since a partial sum would under-count fetches.
 */
export function sumPollerCounters(
  records: Array<Record<string, unknown> | undefined>,
): Record<string, number> | undefined {
  if (records.length === 0 || records.some((r) => r === undefined)) return undefined;
  const sum: Record<string, number> = {};
  for (const record of records)
    for (const [key, value] of Object.entries(record!))
      if (typeof value === 'number') sum[key] = (sum[key] ?? 0) + value;
  return sum;
}

export async function runBptl(ctx: BenchContext): Promise<Measurement> {
  const { options, tasks } = ctx;
  const topic = `bench-bptl-${ctx.runId}`;
  const lowTopic = `${topic}-low`;
  const topics = options.lowRate > 0 ? [topic, lowTopic] : [topic];
  for (const t of topics) await tasks.deploy(t);
  const workUnit = options.workMs > 0 ? 'sleep' : 'noop';
  const variables = taskVariables(options);
  const notes: string[] = [];

  const configFile = path.join(ctx.logDir, `bptl-${ctx.runId}.config.yaml`);
  await writeFile(
    configFile,
    stringify({
      engines: [{ name: ENGINE, url: ctx.camundaUrl }],
      topics: topics.map((t) => ({
        topic: t,
        workUnit,
        lockDurationMs: options.lockDurationMs,
        execution: options.execution,
      })),
    }),
  );
  const env = {
    TEMPORAL_ADDRESS: ctx.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    BPTL_TASK_QUEUE: `bench-${ctx.runId}`,
    BPTL_WORKER_ID: `bench-${ctx.runId}`,
    BPTL_MAX_TASKS: String(options.parallelism),
    BPTL_MAX_IN_FLIGHT: String(options.parallelism),
    BPTL_ASYNC_RESPONSE_TIMEOUT_MS: String(options.asyncResponseTimeoutMs),
  };

  const create = () =>
    tasks.create(topic, options.n, {
      starters: options.starters,
      variables,
      progress: progress('bptl create', options.n, 'created'),
    });
  const burstCreation = options.mode === 'burst' ? await create() : undefined;

  const connection = await Connection.connect({ address: ctx.temporalAddress });
  // The codec keys of the bptl children (which inherit this environment), to read their payloads.
  const client = new Client({
    connection,
    namespace: 'default',
    dataConverter: codecDataConverter(loadEnv().codecKeys),
  });
  const rss = new RssSampler(250);
  const profileDir = path.join(ctx.logDir, `cpu-profile-${ctx.runId}`);
  const entry = options.fromBuild ? await buildBptl(ctx) : path.join(ctx.root, 'src', 'cli', 'main.ts');
  const spawn = (
    name: string,
    command: 'run' | 'worker' | 'poller',
    readyMessages: string[],
    extraEnv: Record<string, string>,
  ) =>
    spawnBptl({
      command,
      root: ctx.root,
      entry,
      configFile,
      env: { ...env, ...extraEnv },
      logFile: path.join(ctx.logDir, `bptl-${ctx.runId}-${name}.log`),
      readyMessages,
      nodeFlags: [
        // As the launchers: BPTL_HEAP_MB's default, or --heap-mb (0: Node's own limit).
        `--max-old-space-size=${options.heapMiB}`,
        ...options.nodeFlags,
        // One .cpuprofile of the main thread, written when the process exits (the workflow threads get their own
        // execArgv, src/worker/workflow-stack-traces.ts, without it).
        ...(options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ],
    });
  const plan = bptlPlan(options, env.BPTL_WORKER_ID);
  const children: Array<{ name: string; process: BptlProcess }> = [];
  try {
    const startupMs: Record<string, number> = {};
    for (const { name, command, ready, env: extraEnv } of plan) {
      const child = spawn(name, command, ready, extraEnv);
      children.push({ name, process: child });
      rss.watch(name, child.pid);
      startupMs[name] = await child.ready;
    }
    // The processes that poll: the last one with --split (bptl poller), each of them with --runs.
    const pollers = options.split ? [children[children.length - 1]!.process] : children.map((c) => c.process);
    const workerStartedMs = Date.now();
    const rssAtStartMiB = Object.fromEntries(
      children.map((c) => [c.name, Math.round(readRssMiB(c.process.pid) ?? 0)]),
    );

    const cpu = startCpuMeter({
      bench: process.pid,
      ...ctx.serverPids,
      ...Object.fromEntries(children.map((c) => [c.name, c.process.pid])),
    });
    // Creating the tasks can fail while the wait runs (the engine refuses the variables, say): that failure ends
    // the wait and reaches the finally below, which stops the bptl children (an unhandled rejection left them
    // running, holding their ports).
    const creationFailed = new AbortController();
    const creating = burstCreation ? Promise.resolve(burstCreation) : create();
    creating.catch((error: unknown) => creationFailed.abort(error));
    const waited = await tasks.waitForSuccesses(topic, options.n, {
      stallTimeoutMs: options.stallTimeoutMs,
      progress: progress('bptl', options.n, 'completed'),
      signal: creationFailed.signal,
    });
    const creation = await creating;
    const cpuUsage = cpu.stop();
    if (waited.stalled) notes.push(`stalled at ${waited.succeeded}/${options.n}`);
    const outcome = await tasks.outcome(topic);
    const window = {
      fromMs: options.mode === 'burst' ? workerStartedMs : outcome.firstCreatedMs,
      toMs: outcome.lastSucceededMs,
    };

    if (options.lowRate > 0) {
      await tasks.oneAtATime(lowTopic, options.lowRate, {
        variables,
        timeoutMs: 60_000 + 2 * options.workMs,
        progress: progress('bptl low-rate', options.lowRate, 'completed'),
      });
    }
    const stillRunning = await waitForWorkflowsClosed(client, topics, 30_000);
    if (stillRunning > 0) notes.push(`${stillRunning} workflows still running at the end`);

    // The pollers stop first (bptl run stops them before its worker), then the worker.
    for (const c of [...children].reverse()) await c.process.stop();
    rss.stop();
    const pollerStats = sumPollerCounters(pollers.map((p) => p.record('stopped')));
    if (!pollerStats) notes.push('a poller did not log its counters');

    const tallies = await Promise.all(topics.map((t) => tallyWorkflows(client, t)));
    const lowOutcome = options.lowRate > 0 ? await tasks.outcome(lowTopic) : undefined;
    const tasksCreated = outcome.created + (lowOutcome?.created ?? 0);
    const extraFetches = pollerStats ? Math.max(0, (pollerStats.tasksFetched ?? 0) - tasksCreated) : 0;
    const relockedTasks = tallies.reduce((a, t) => a + t.relocked, 0);
    const idsWithSeveralRuns = tallies.reduce((a, t) => a + t.idsWithSeveralRuns, 0);
    const duplicateCompletions = outcome.duplicateCompletions + (lowOutcome?.duplicateCompletions ?? 0);
    const details: BptlDetails = {
      relockedTasks,
      extraFetches,
      lockExpiries: relockedTasks + extraFetches,
      workflowIdsWithSeveralRuns: idsWithSeveralRuns,
      workflows: tallies[0]!.workflows,
      outcomes: tallies[0]!.outcomes,
      poller: pollerStats,
      rss: rss.summary(window),
      processes: children.map((c) => c.name),
      rssAtStartMiB,
      startupMs,
      fromBuild: options.fromBuild,
      ...(options.cpuProfile ? { cpuProfile: cpuProfileOf(profileDir, startupMs, notes) } : {}),
    };
    if (lowOutcome && lowOutcome.completedOnce !== options.lowRate)
      notes.push(`low rate: ${lowOutcome.completedOnce}/${options.lowRate} completed once`);
    return {
      name: 'bptl',
      n: options.n,
      parallelism: options.parallelism,
      completed: outcome.completedOnce,
      duplicates: duplicateCompletions + idsWithSeveralRuns,
      stalled: waited.stalled,
      ...taskThroughput(outcome, ctx, workerStartedMs),
      creation: { ms: creation.ms, ratePerSec: perSecond(options.n, creation.ms) },
      latencyMs: summarize(outcome.latenciesMs),
      ...(lowOutcome ? { lowRate: lowRateOf(lowOutcome, options.lowRate) } : {}),
      cpu: cpuUsage,
      bptl: details,
      notes,
    };
  } finally {
    rss.stop();
    for (const c of [...children].reverse()) await c.process.stop();
    await connection.close();
  }
}

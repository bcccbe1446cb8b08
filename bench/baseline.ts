/**
 * The baseline: a bare worker (camunda-external-task-client-js, in this process) completing the same external
 * tasks: Camunda alone, no durability. In --long mode it sleeps like BPTL's `sleep` unit and keeps the lock
 * the same way.
 */
import { startBareWorker } from './bare-worker.ts';
import { startCpuMeter } from './cpu.ts';
import { type BenchContext, lowRateOf, type Measurement, taskThroughput } from './measurement.ts';
import { taskVariables } from './options.ts';
import { progress } from './progress.ts';
import { perSecond, summarize } from './stats.ts';

export async function runBaseline(ctx: BenchContext): Promise<Measurement> {
  const { options, tasks } = ctx;
  const topic = `bench-baseline-${ctx.runId}`;
  const lowTopic = `${topic}-low`;
  const topics = options.lowRate > 0 ? [topic, lowTopic] : [topic];
  for (const t of topics) await tasks.deploy(t);
  const variables = taskVariables(options);
  const notes: string[] = [];

  const create = () =>
    tasks.create(topic, options.n, {
      starters: options.starters,
      variables,
      progress: progress('baseline create', options.n, 'created'),
    });
  const burstCreation = options.mode === 'burst' ? await create() : undefined;

  const cpu = startCpuMeter({ bench: process.pid, ...ctx.serverPids });
  const workerStartedMs = Date.now();
  const worker = startBareWorker({
    camundaUrl: ctx.camundaUrl,
    workerId: `bench-baseline-${ctx.runId}`,
    topics,
    parallelism: options.parallelism,
    lockDurationMs: options.lockDurationMs,
    workMs: options.workMs,
    asyncResponseTimeoutMs: options.asyncResponseTimeoutMs,
  });
  try {
    const creating = burstCreation ? Promise.resolve(burstCreation) : create();
    const waited = await tasks.waitForSuccesses(topic, options.n, {
      stallTimeoutMs: options.stallTimeoutMs,
      progress: progress('baseline', options.n, 'completed'),
    });
    const creation = await creating;
    const cpuUsage = cpu.stop();
    if (waited.stalled) notes.push(`stalled at ${waited.succeeded}/${options.n}`);
    if (options.lowRate > 0) {
      await tasks.oneAtATime(lowTopic, options.lowRate, {
        variables,
        timeoutMs: 60_000 + 2 * options.workMs,
        progress: progress('baseline low-rate', options.lowRate, 'completed'),
      });
    }
    const outcome = await tasks.outcome(topic);
    const { poll, handler, last } = worker.errors;
    if (poll + handler > 0) notes.push(`${poll} failed fetches, ${handler} failed tasks; last: ${last}`);
    return {
      name: 'baseline',
      n: options.n,
      parallelism: options.parallelism,
      completed: outcome.completedOnce,
      duplicates: outcome.duplicateCompletions,
      stalled: waited.stalled,
      ...taskThroughput(outcome, ctx, workerStartedMs),
      creation: { ms: creation.ms, ratePerSec: perSecond(options.n, creation.ms) },
      latencyMs: summarize(outcome.latenciesMs),
      ...(options.lowRate > 0 ? { lowRate: lowRateOf(await tasks.outcome(lowTopic), options.lowRate) } : {}),
      cpu: cpuUsage,
      notes,
    };
  } finally {
    worker.stop();
  }
}

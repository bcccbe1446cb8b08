/**
 * Warm-up before the first measurement: a fresh Camunda JVM compiles its hot paths (C2) during its first few
 * hundred tasks, which would count against whichever measurement comes first. So `warmup` tasks are created
 * and completed by a bare worker first; they are not measured.
 */
import { startBareWorker } from './bare-worker.ts';
import type { BenchContext } from './measurement.ts';
import { progress } from './progress.ts';

export async function warmUp(ctx: BenchContext, count: number): Promise<void> {
  if (count <= 0) return;
  const topic = `bench-warmup-${ctx.runId}`;
  await ctx.tasks.deploy(topic);
  const worker = startBareWorker({
    camundaUrl: ctx.camundaUrl,
    workerId: `bench-warmup-${ctx.runId}`,
    topics: [topic],
    parallelism: ctx.options.parallelism,
    lockDurationMs: 60_000,
    workMs: 0,
    asyncResponseTimeoutMs: ctx.options.asyncResponseTimeoutMs,
  });
  try {
    const creating = ctx.tasks.create(topic, count, { starters: ctx.options.starters, variables: {} });
    await ctx.tasks.waitForSuccesses(topic, count, {
      stallTimeoutMs: ctx.options.stallTimeoutMs,
      progress: progress('warm-up', count, 'completed'),
    });
    await creating;
  } finally {
    worker.stop();
  }
}

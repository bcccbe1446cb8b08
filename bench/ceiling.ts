/**
 * The ceiling: N empty workflows on the same Temporal server, started eagerly (the server hands the first
 * workflow task straight back to the in-process worker), with `parallelism` starts in flight. The fastest this
 * server runs anything: BPTL runs one workflow per task, so it cannot beat this. Times come from Temporal's
 * visibility (start and close time of each workflow).
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startCpuMeter } from './cpu.ts';
import type { BenchContext, Measurement } from './measurement.ts';
import { progress } from './progress.ts';
import { perSecond, summarize } from './stats.ts';

const workflowsPath = fileURLToPath(new URL('./empty-workflow.ts', import.meta.url));

export async function runCeiling(ctx: BenchContext): Promise<Measurement> {
  const { options } = ctx;
  const taskQueue = `bench-ceiling-${ctx.runId}`;
  const connection = await NativeConnection.connect({ address: ctx.temporalAddress });
  const notes: string[] = [];
  try {
    // More workflow-task slots than the default 40: an eager start needs a free slot, and with the defaults
    // a third to a half of the starts were not eager on a 2-core machine. The ceiling is the server's.
    const worker = await Worker.create({
      connection,
      namespace: 'default',
      taskQueue,
      workflowsPath,
      maxConcurrentWorkflowTaskExecutions: 200,
      maxCachedWorkflows: 400,
    });
    const running = worker.run();
    try {
      // Eager starts need the worker registered with the connection: give it a moment to be polling.
      while (worker.getState() !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Eager start needs the worker's connection.
      const client = new Client({ connection, namespace: 'default' });
      const completedQuery = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`;
      let completed = 0;
      let started = 0;
      let eagerlyStarted = 0;
      let next = 0;
      const cpu = startCpuMeter({ bench: process.pid, ...ctx.serverPids });
      const starter = async () => {
        while (next < options.n) {
          const i = next++;
          const handle = await client.workflow.start('benchEmpty', {
            taskQueue,
            workflowId: `${taskQueue}-${i}`,
            requestEagerStart: true,
          });
          started++;
          if (handle.eagerlyStarted) eagerlyStarted++;
        }
      };
      const starting = Promise.all(Array.from({ length: Math.min(options.parallelism, options.n) }, starter));
      const startProgress = progress('ceiling start', options.n, 'started');
      startProgress.begin(() => started);
      const doneProgress = progress('ceiling', options.n, 'completed');
      doneProgress.begin(() => completed);
      let stalled = false;
      try {
        await starting;
        startProgress.end();
        let lastChange = Date.now();
        for (;;) {
          const { count } = await client.workflow.count(completedQuery);
          if (count !== completed) lastChange = Date.now();
          completed = count;
          if (completed >= options.n) break;
          if (Date.now() - lastChange > options.stallTimeoutMs) {
            stalled = true;
            notes.push(`stalled at ${completed}/${options.n}`);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      } finally {
        startProgress.end();
        doneProgress.end();
      }
      const cpuUsage = cpu.stop();

      const latencies: number[] = [];
      let firstStart = Number.POSITIVE_INFINITY;
      let lastClose = 0;
      let done = 0;
      const runsPerId = new Map<string, number>();
      for await (const wf of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
        runsPerId.set(wf.workflowId, (runsPerId.get(wf.workflowId) ?? 0) + 1);
        firstStart = Math.min(firstStart, wf.startTime.getTime());
        if (wf.status.name !== 'COMPLETED' || !wf.closeTime) continue;
        done++;
        lastClose = Math.max(lastClose, wf.closeTime.getTime());
        latencies.push(wf.closeTime.getTime() - wf.startTime.getTime());
      }
      const windowMs = Math.max(0, lastClose - firstStart);
      if (eagerlyStarted < started)
        notes.push(`${started - eagerlyStarted} of ${started} not started eagerly`);
      return {
        name: 'ceiling',
        n: options.n,
        parallelism: options.parallelism,
        completed: done,
        duplicates: [...runsPerId.values()].filter((runs) => runs > 1).length,
        stalled,
        throughputPerSec: perSecond(done, windowMs),
        windowMs,
        window: 'first workflow start → last close',
        latencyMs: summarize(latencies),
        cpu: cpuUsage,
        ceiling: { eagerlyStarted },
        notes,
      };
    } finally {
      worker.shutdown();
      await running;
    }
  } finally {
    await connection.close();
  }
}

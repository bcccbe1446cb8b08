/**
 * A bare external-task worker on camunda-external-task-client-js: fetches `parallelism` tasks at a time, runs
 * at most `parallelism` at once, and re-polls at once (interval 0). Each task is completed without variables
 * after `workMs` (0: at once); while it works, the lock is extended at half its duration, as BPTL does.
 */
import { Client, type Task, type TaskService } from 'camunda-external-task-client-js';

export interface BareWorker {
  /** Errors seen: failed fetches, failed completions. */
  readonly errors: { poll: number; handler: number; last: string | undefined };
  /** Stops polling. */
  stop(): void;
}

export function startBareWorker(options: {
  camundaUrl: string;
  workerId: string;
  topics: string[];
  parallelism: number;
  lockDurationMs: number;
  workMs: number;
  asyncResponseTimeoutMs: number;
}): BareWorker {
  const client = new Client({
    baseUrl: options.camundaUrl,
    workerId: options.workerId,
    maxTasks: options.parallelism,
    maxParallelExecutions: options.parallelism,
    asyncResponseTimeout: options.asyncResponseTimeoutMs,
    interval: 0,
    lockDuration: options.lockDurationMs,
    autoPoll: false,
  });
  const errors: BareWorker['errors'] = { poll: 0, handler: 0, last: undefined };
  client.on('poll:error', (error) => {
    errors.poll++;
    errors.last = String(error);
  });
  client.on('handler:error', (error) => {
    errors.handler++;
    errors.last = String(error);
  });
  const handler = async ({ task, taskService }: { task: Task; taskService: TaskService }) => {
    if (options.workMs > 0) {
      const keep = setInterval(
        () => void taskService.extendLock(task, options.lockDurationMs).catch(() => {}),
        options.lockDurationMs / 2,
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, options.workMs));
      } finally {
        clearInterval(keep);
      }
    }
    await taskService.complete(task);
  };
  for (const topic of options.topics)
    client.subscribe(topic, { lockDuration: options.lockDurationMs }, handler);
  client.start();
  return {
    errors,
    stop() {
      // A long poll may still be open; it ends by itself (empty) after asyncResponseTimeoutMs.
      client.stop();
    },
  };
}

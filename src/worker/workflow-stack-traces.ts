/**
 * Whether the Temporal SDK collects stack traces of workflow promises (for the `__stack_trace` query, the Web
 * UI's "Stack Trace" tab). It does so through a V8 promise hook that formats a source-mapped stack for every
 * promise a workflow creates: about 7 ms of CPU per BPTL task, a third of the worker's (docs/benchmarks.md).
 * The SDK has no option for it (temporalio/sdk-typescript#1587), so BPTL starts the SDK's workflow thread with
 * a preload that leaves the hook out (workflow-thread-preload.cjs). BPTL_WORKFLOW_STACK_TRACES=true keeps it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Beside this module in src/ and, copied by `npm run build`, in dist/. */
export const WORKFLOW_THREAD_PRELOAD = path.join(here, 'workflow-thread-preload.cjs');

/** The script of the SDK's workflow thread (…/@temporalio/worker/lib/workflow/workflow-worker-thread.js). */
const WORKFLOW_THREAD = /[\\/]@temporalio[\\/]worker[\\/]lib[\\/]workflow[\\/]workflow-worker-thread\.js$/;

let disabled = false;

/**
 * From now on, workflow threads that the SDK starts in this process run without stack-trace collection: the
 * SDK's `Worker` from `node:worker_threads` is wrapped so that its workflow thread starts with the preload.
 * Other threads are untouched. Idempotent; call it before the first Temporal Worker is created.
 */
export function disableWorkflowStackTraces(): void {
  if (disabled) return;
  if (!existsSync(WORKFLOW_THREAD_PRELOAD))
    throw new Error(`the workflow thread preload is missing: ${WORKFLOW_THREAD_PRELOAD}`);
  // The SDK is CommonJS: it reads `Worker` from this very exports object when it starts a thread.
  const threads = createRequire(import.meta.url)(
    'node:worker_threads',
  ) as typeof import('node:worker_threads');
  const Original = threads.Worker;
  class WorkerWithoutStackTraces extends Original {
    constructor(filename: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const isWorkflowThread = typeof filename === 'string' && WORKFLOW_THREAD.test(filename);
      super(
        filename,
        isWorkflowThread
          ? {
              ...options,
              // Not process.execArgv: its V8 flags (e.g. --max-semi-space-size) apply to the whole process
              // already, and a thread refuses them (ERR_WORKER_INVALID_EXEC_ARGV).
              execArgv: [...(options?.execArgv ?? []), '--require', WORKFLOW_THREAD_PRELOAD],
            }
          : options,
      );
    }
  }
  threads.Worker = WorkerWithoutStackTraces;
  disabled = true;
}

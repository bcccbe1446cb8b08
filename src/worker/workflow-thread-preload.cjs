/**
 * Preloaded (`--require`) into the Temporal SDK's workflow thread by disableWorkflowStackTraces()
 * (src/worker/workflow-stack-traces.ts), never into the main thread.
 *
 * The SDK installs a V8 promise hook in that thread which, for every promise a workflow creates, builds an Error
 * and formats its stack through the bundle's source map, to answer the `__stack_trace` query (the Web UI's
 * "Stack Trace" tab). It cannot be switched off by an option (temporalio/sdk-typescript#1587) and cost BPTL about
 * 7 ms of CPU per task, more than a third of the worker's (docs/benchmarks.md). Here the hook is not installed:
 * the SDK gets a stopper that does nothing, and the stack trace query answers with no stacks.
 */
'use strict';
const { isMainThread } = require('node:worker_threads');

if (!isMainThread) {
  const { promiseHooks } = require('node:v8');
  const createHook = promiseHooks.createHook;
  promiseHooks.createHook = function createHookUnlessTemporal(hooks) {
    // Only the SDK's own call is skipped; anything else in this thread gets real hooks.
    if (/[\\/]@temporalio[\\/]worker[\\/]/.test(new Error().stack ?? '')) return () => {};
    return createHook.call(this, hooks);
  };
}

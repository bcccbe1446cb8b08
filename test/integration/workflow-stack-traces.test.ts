/**
 * BPTL's worker leaves out the SDK's promise hook for workflow stack traces (a third of its CPU per task,
 * docs/benchmarks.md): the `__stack_trace` query of a running workflow answers with no stack, while the workflow
 * runs as before. The same query on a worker created without BPTL's switch does show the workflow's stack
 * (test/workflows/external-task-workflow.test.ts), so this test can tell the two apart.
 */
import { describe, expect, test } from 'vitest';
import { encodeVariables } from '../../src/engine/variables.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { ENGINE, eventually, fileHarness } from './harness.ts';

/** The file's harness, with the `sleep` topic deployed, a worker and a poller. */
const it = test
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('h', { scope: 'file' }, async ({}, { onCleanup }) => {
    const h = await fileHarness('stack-traces', onCleanup);
    const topic = h.topicName('sleep');
    await h.deploy({ key: `${h.id}-sleep`, topic });
    await h.startWorker();
    h.createPoller([h.topicConfig(topic, 'sleep')], { asyncResponseTimeoutMs: 2_000 }).start();
    return h;
  });

describe('workflow stack traces (BPTL_WORKFLOW_STACK_TRACES, off by default)', () => {
  it('a running workflow answers the stack trace query with no stack, and still completes', async ({ h }) => {
    const pi = await h.camunda.startProcess(`${h.id}-sleep`, {
      variables: encodeVariables({ sleepMs: 3_000 }),
    });
    const taskId = await eventually(async () => {
      const tasks = await h.camunda.get<Array<{ id: string }>>('/external-task', {
        processInstanceId: pi.id,
      });
      return tasks[0]?.id;
    }, 'the external task');
    const handle = h.client.workflow.getHandle(externalTaskWorkflowId(ENGINE, taskId));
    await eventually(
      async () => ((await handle.describe()).status.name === 'RUNNING' ? true : undefined),
      'the workflow',
    );
    expect(await handle.query<string>('__stack_trace')).toBe('');
    expect((await waitForProcessEnd(h.camunda, pi.id)).state).toBe('COMPLETED');
  });
});

/**
 * Process data is encrypted in Temporal: a task's variables (workflow input) and the unit's results never appear
 * in the raw history, which the API's codec server (with a viewer token) turns back into the process data.
 */
import proto from '@temporalio/proto';
import { describe, expect, test } from 'vitest';
import { encodeVariables } from '../../src/engine/variables.ts';
import { waitForProcessEnd } from '../../src/local/demo.ts';
import { externalTaskWorkflowId } from '../../src/workflows/external-task-input.ts';
import { createTestApi, VIEWER_TOKEN } from '../support/api.ts';
import { ENGINE, fileHarness, testCodec } from './harness.ts';

const DISTINCTIVE = 'Codec-Integration-Distinctive-Value-9f3c1e';
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');

const it = test
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('codec', { scope: 'file' }, async ({}, { onCleanup }) => {
    const h = await fileHarness('codec', onCleanup);
    const topic = h.topicName('echo');
    await h.deploy({ key: `${h.id}-echo`, topic });
    await h.startWorker();
    const poller = h.createPoller([h.topicConfig(topic, 'echo')]);
    poller.start();
    return { h };
  });

describe('process data in Temporal', () => {
  it('is encrypted in the raw history, and the codec server decodes it for a viewer only', async ({
    codec: { h },
  }) => {
    const started = await h.camunda.startProcess(`${h.id}-echo`, {
      variables: encodeVariables({ customerName: DISTINCTIVE }),
    });
    expect((await waitForProcessEnd(h.camunda, started.id)).state).toBe('COMPLETED');
    const [task] = await h.camunda.get<Array<{ externalTaskId: string }>>('/history/external-task-log', {
      processInstanceId: started.id,
      successLog: true,
    });
    const workflowId = externalTaskWorkflowId(ENGINE, task!.externalTaskId);
    await h.client.workflow.getHandle(workflowId).result();

    // The raw history, as Temporal stores it (the service call does not go through the codec).
    const { history } = await h.client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId },
    });
    const raw = Buffer.from(proto.temporal.api.history.v1.History.encode(history!).finish());
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.includes(DISTINCTIVE)).toBe(false);
    expect(JSON.stringify(history)).not.toContain(DISTINCTIVE);
    const startedEvent = history!.events!.find((e) => e.workflowExecutionStartedEventAttributes);
    const input = startedEvent!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');

    const api = await createTestApi({ codec: testCodec() });
    try {
      const body = {
        payloads: [
          {
            metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, b64(v)])),
            data: b64(input.data),
          },
        ],
      };
      const decoded = await api.request('POST', '/codec/decode', { token: VIEWER_TOKEN, body });
      expect(decoded.status).toBe(200);
      const { payloads } = (await decoded.json()) as { payloads: Array<{ data: string }> };
      expect(Buffer.from(payloads[0]!.data, 'base64').toString()).toContain(DISTINCTIVE);
      expect((await api.request('POST', '/codec/decode', { token: null, body })).status).toBe(401);
    } finally {
      await api.close();
    }
  });
});

/**
 * The camunda library units against the real Camunda engine of the suite: each runs through the real runner
 * (runWorkUnit, in Temporal's MockActivityEnvironment) with the engine's client, and the test reads back from
 * the engine what an operator would check in Cockpit: the instance, its business key and typed variables.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { CamundaClient } from '../../src/engine/camunda-client.ts';
import { type CamundaVariables, encodeVariables } from '../../src/engine/variables.ts';
import { historicVariables, waitForProcessEnd } from '../../src/local/demo.ts';
import {
  camundaCallActivity,
  camundaCopyVariables,
  camundaSendMessage,
  camundaSetVariables,
  camundaStartProcess,
} from '../../src/work-units/library/camunda/index.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';
import { externalTaskProcess } from '../support/bpmn.ts';
import { createHarness } from './harness.ts';

const id = randomUUID().slice(0, 8);
const WAITING = `wu-waiting-${id}`; // start → external task nobody fetches → end
const MESSAGE_PROCESS = `wu-message-${id}`; // start → message catch → external task → end
const MESSAGE = `wu-go-${id}`;
/** The suite's engine (started by the global set-up). */
const camunda = new CamundaClient({ baseUrl: inject('camundaUrl') });

function messageProcess(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="https://bptl.example/test">
  <bpmn:message id="msg" name="${MESSAGE}" />
  <bpmn:process id="${MESSAGE_PROCESS}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="msg" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="task" />
    <bpmn:serviceTask id="task" camunda:type="external" camunda:topic="wu-unfetched-${id}" />
    <bpmn:sequenceFlow id="f3" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

const variablesOf = (instanceId: string) =>
  camunda.get<CamundaVariables>(`/process-instance/${instanceId}/variables`, { deserializeValues: false });

async function startWaiting(variables: CamundaVariables = {}, businessKey?: string): Promise<string> {
  const started = await camunda.startProcess(WAITING, { variables, ...(businessKey ? { businessKey } : {}) });
  return started.id;
}

beforeAll(async () => {
  await camunda.deploy(`wu-${id}`, [
    {
      filename: `${WAITING}.bpmn`,
      content: externalTaskProcess({ key: WAITING, topic: `wu-unfetched-${id}` }),
    },
    { filename: `${MESSAGE_PROCESS}.bpmn`, content: messageProcess() },
  ]);
});

describe('camunda-start-process', () => {
  it('starts an instance with typed variables and a business key, and returns its id', async () => {
    const result = await runWorkUnit(
      camundaStartProcess,
      {
        processDefinitionKey: WAITING,
        businessKey: `order-${id}`,
        processVariables: { order: { id: 42 }, amount: 3 },
      },
      { camunda },
    );
    if (result.outcome !== 'completed') throw new Error(JSON.stringify(result));
    const instanceId = result.output.startedProcessInstanceId;
    const instance = await camunda.get<{ businessKey: string; definitionId: string }>(
      `/process-instance/${instanceId}`,
    );
    expect(instance.businessKey).toBe(`order-${id}`);
    expect(instance.definitionId).toContain(WAITING);
    const variables = await variablesOf(instanceId);
    expect(variables.order).toMatchObject({ type: 'Json', value: '{"id":42}' });
    expect(variables.amount).toMatchObject({ type: 'Integer', value: 3 });
  });

  it('fails non-retryably, naming the key, when no such process is deployed', async () => {
    const result = await runWorkUnit(
      camundaStartProcess,
      { processDefinitionKey: `missing-${id}` },
      { camunda },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'NonRetryableError' });
    if (result.outcome === 'failed') expect(result.message).toMatch(new RegExp(`missing-${id}.*HTTP 404`));
  });

  it('is retried when the engine does not answer', async () => {
    const down = new CamundaClient({ baseUrl: 'http://127.0.0.1:9/engine-rest', timeoutMs: 2_000 });
    const result = await runWorkUnit(
      camundaStartProcess,
      { processDefinitionKey: WAITING },
      { camunda: down },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: true, type: 'RetryableError' });
  });
});

describe('camunda-send-message', () => {
  it('correlates a message by business key, setting its variables, and returns the instance', async () => {
    const waiting = await camunda.startProcess(MESSAGE_PROCESS, { businessKey: `msg-${id}` });
    const other = await camunda.startProcess(MESSAGE_PROCESS, { businessKey: `msg-other-${id}` });
    const result = await runWorkUnit(
      camundaSendMessage,
      { messageName: MESSAGE, messageBusinessKey: `msg-${id}`, messageVariables: { approved: true } },
      { camunda },
    );
    expect(result).toMatchObject({
      outcome: 'completed',
      output: { correlatedProcessInstanceIds: [waiting.id] },
    });
    // The instance moved on to the external task after the catch event; the other still waits.
    const [task] = await camunda.get<Array<{ activityId: string }>>('/external-task', {
      processInstanceId: waiting.id,
    });
    expect(task?.activityId).toBe('task');
    expect((await variablesOf(waiting.id)).approved).toMatchObject({ type: 'Boolean', value: true });
    expect(await camunda.get<unknown[]>('/external-task', { processInstanceId: other.id })).toEqual([]);
  });

  it('fails non-retryably, naming the message, when no instance waits for it', async () => {
    const result = await runWorkUnit(
      camundaSendMessage,
      { messageName: MESSAGE, messageBusinessKey: `nobody-${id}` },
      { camunda },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed') expect(result.message).toContain(`message '${MESSAGE}'`);
  });
});

describe('camunda-call-activity', () => {
  it("starts a sub-process with mapped variables of their type and the parent's business key", async () => {
    const parent = await startWaiting(
      { zaak: { type: 'Json', value: '{"nr":7}' }, count: { type: 'Long', value: 5 } },
      `parent-${id}`,
    );
    const result = await runWorkUnit(
      camundaCallActivity,
      { subprocessDefinitionKey: WAITING, subprocessVariables: { zaak: 'parentZaak', count: 'n' } },
      { camunda, task: { processInstanceId: parent, businessKey: `parent-${id}` } },
    );
    if (result.outcome !== 'completed') throw new Error(JSON.stringify(result));
    const child = result.output.calledProcessInstanceId;
    expect(child).not.toBe(parent);
    expect((await camunda.get<{ businessKey: string }>(`/process-instance/${child}`)).businessKey).toBe(
      `parent-${id}`,
    );
    const variables = await variablesOf(child);
    expect(variables.parentZaak).toMatchObject({ type: 'Json', value: '{"nr":7}' });
    expect(variables.n).toMatchObject({ type: 'Long', value: 5 });
    expect(Object.keys(variables).sort()).toEqual(['n', 'parentZaak']);
  });

  it('fails non-retryably, naming the variable, when the parent lacks a mapped one', async () => {
    const parent = await startWaiting();
    const result = await runWorkUnit(
      camundaCallActivity,
      { subprocessDefinitionKey: WAITING, subprocessVariables: { absent: 'x' } },
      { camunda, task: { processInstanceId: parent } },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    if (result.outcome === 'failed') expect(result.message).toContain("variable 'absent'");
  });
});

describe('camunda-copy-variables', () => {
  it('returns the named variables of another instance, with their type', async () => {
    const source = await startWaiting({
      order: { type: 'Json', value: '{"lines":["bread"]}' },
      due: { type: 'Date', value: '2026-01-02T03:04:05.000+0000' },
      other: { type: 'String', value: 'not copied' },
    });
    const result = await runWorkUnit(
      camundaCopyVariables,
      { copyFromProcessInstanceId: source, copyVariables: ['order', 'due'] },
      { camunda },
    );
    expect(result).toEqual({
      outcome: 'completed',
      output: { order: { lines: ['bread'] }, due: new Date('2026-01-02T03:04:05.000Z') },
      localOutput: {},
      outbound: [],
    });
  });

  it('reads an ended instance from the history', async () => {
    const source = await startWaiting({ verdict: { type: 'String', value: 'granted' } });
    await camunda.delete(`/process-instance/${source}`);
    const result = await runWorkUnit(
      camundaCopyVariables,
      { copyFromProcessInstanceId: source, copyVariables: ['verdict'] },
      { camunda },
    );
    expect(result).toMatchObject({ outcome: 'completed', output: { verdict: 'granted' } });
  });

  it('fails non-retryably naming a variable the source lacks, or the unknown instance', async () => {
    const source = await startWaiting();
    const missingVariable = await runWorkUnit(
      camundaCopyVariables,
      { copyFromProcessInstanceId: source, copyVariables: ['nope'] },
      { camunda },
    );
    expect(missingVariable).toMatchObject({ outcome: 'failed', retryable: false, type: 'VariableError' });
    const missingInstance = await runWorkUnit(
      camundaCopyVariables,
      { copyFromProcessInstanceId: `no-such-${id}`, copyVariables: ['x'] },
      { camunda },
    );
    expect(missingInstance).toMatchObject({ outcome: 'failed', retryable: false });
    if (missingInstance.outcome === 'failed') {
      expect(missingInstance.message).toBe(`process instance no-such-${id} does not exist`);
    }
  });
});

describe('camunda-set-variables', () => {
  it("sets typed variables on this task's instance, or on another one", async () => {
    const own = await startWaiting();
    const other = await startWaiting();
    const onOwn = await runWorkUnit(
      camundaSetVariables,
      { setVariables: { status: 'approved', checks: { ok: 2 } } },
      { camunda, task: { processInstanceId: own } },
    );
    expect(onOwn).toEqual({ outcome: 'completed', output: {}, localOutput: {}, outbound: [] });
    const onOther = await runWorkUnit(
      camundaSetVariables,
      { setVariables: { pi: 3.5 }, setOnProcessInstanceId: other },
      { camunda, task: { processInstanceId: own } },
    );
    expect(onOther.outcome).toBe('completed');
    const ownVariables = await variablesOf(own);
    expect(ownVariables.status).toMatchObject({ type: 'String', value: 'approved' });
    expect(ownVariables.checks).toMatchObject({ type: 'Json', value: '{"ok":2}' });
    expect((await variablesOf(other)).pi).toMatchObject({ type: 'Double', value: 3.5 });
  });

  it('fails when the worker has no client for the engine', async () => {
    const result = await runWorkUnit(
      camundaSetVariables,
      { setVariables: { a: 1 } },
      { task: { processInstanceId: 'x' } },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed') expect(result.message).toContain("no client for engine 'test'");
  });
});

describe('through a BPTL worker and poller', () => {
  it("gives a camunda unit its task's engine: camunda-start-process run by a topic", async () => {
    const h = await createHarness('wu-camunda');
    onTestFinished(() => h.close());
    const topic = h.topicName('start');
    const key = `${h.id}-starter`;
    await h.deploy({ key, topic });
    await h.startWorker();
    h.createPoller([h.topicConfig(topic, 'camunda-start-process')], {
      asyncResponseTimeoutMs: 5_000,
    }).start();
    const parent = await h.camunda.startProcess(key, {
      variables: encodeVariables({ processDefinitionKey: WAITING, businessKey: `e2e-${id}` }),
    });
    expect((await waitForProcessEnd(h.camunda, parent.id)).state).toBe('COMPLETED');
    const started = (await historicVariables(h.camunda, parent.id)).find(
      (v) => v.name === 'startedProcessInstanceId',
    );
    const child = await camunda.get<{ businessKey: string; definitionId: string }>(
      `/process-instance/${String(started?.value)}`,
    );
    expect(child).toMatchObject({ businessKey: `e2e-${id}`, definitionId: expect.stringContaining(WAITING) });
  });
});

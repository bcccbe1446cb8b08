/**
 * The demo: deploys demo/bptl-demo.bpmn, starts one instance with variables of several types, waits for it
 * to end, and returns its outcome and variables as Camunda's history records them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CamundaClient } from '../engine/camunda-client.ts';
import { encodeVariables, typed } from '../engine/variables.ts';
import { projectRoot } from './managed-process.ts';

export interface HistoricVariable {
  name: string;
  type: string;
  value: unknown;
}

export interface DemoOutcome {
  processInstanceId: string;
  state: string;
  durationMs: number;
  variables: HistoricVariable[];
}

/** Waits until a process instance has ended (or the time-out passes), probing its history. */
export async function waitForProcessEnd(
  camunda: CamundaClient,
  processInstanceId: string,
  timeoutMs = 60_000,
): Promise<{ state: string; durationMs: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const instance = await camunda.get<{ state: string; durationInMillis: number | null }>(
      `/history/process-instance/${processInstanceId}`,
    );
    if (instance.state !== 'ACTIVE')
      return { state: instance.state, durationMs: instance.durationInMillis ?? 0 };
    if (Date.now() > deadline)
      return { state: instance.state, durationMs: Date.now() - (deadline - timeoutMs) };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function historicVariables(
  camunda: CamundaClient,
  processInstanceId: string,
): Promise<HistoricVariable[]> {
  const rows = await camunda.get<HistoricVariable[]>('/history/variable-instance', {
    processInstanceId,
    deserializeValues: false,
  });
  return rows
    .map(({ name, type, value }) => ({ name, type, value }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function runDemo(camunda: CamundaClient): Promise<DemoOutcome> {
  const bpmn = await readFile(path.join(projectRoot(), 'demo', 'bptl-demo.bpmn'), 'utf8');
  await camunda.deploy('bptl-demo', [{ filename: 'bptl-demo.bpmn', content: bpmn }]);
  const started = await camunda.startProcess('bptl-demo', {
    businessKey: `demo-${Date.now()}`,
    variables: encodeVariables({
      greeting: 'Hello from BPTL',
      count: 3,
      requestedAt: new Date(),
      order: { id: 42, lines: ['bread', 'milk'] },
      echoVariables: typed.json(['greeting', 'count', 'requestedAt', 'order']),
    }),
  });
  const { state, durationMs } = await waitForProcessEnd(camunda, started.id);
  return {
    processInstanceId: started.id,
    state,
    durationMs,
    variables: await historicVariables(camunda, started.id),
  };
}

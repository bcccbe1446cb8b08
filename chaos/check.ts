/**
 * The checker: what became of every task of a scenario, from the engine's history, the ledger and Temporal,
 * never from BPTL's own logs. Each process instance of the stream must end in exactly one terminal state:
 *
 * - completed: its external task has exactly one success entry in the history (more: duplicated);
 * - incident: its task carries an open incident with a message (what an operator sees in Cockpit);
 * - gone: the scenario removed the task (instance deleted, cancelled, moved, a boundary timer fired), and BPTL's
 *   workflow for it has closed;
 *
 * anything else after the settle time is **lost**. A side effect applied more than once for one task (the
 * ledger counts per instance) is **duplicated**, as is a task completed twice.
 */
import type { Client } from '@temporalio/client';
import type { CamundaClient } from '../src/engine/camunda-client.ts';
import { parseCamundaDate } from '../src/engine/variables.ts';
import type { LedgerSummary } from './ledger.ts';
import type { StreamInstance } from './stream.ts';

export type TaskFate = 'completed' | 'incident' | 'gone' | 'lost';

export interface InstanceVerdict {
  seq: string;
  processInstanceId: string;
  fate: TaskFate;
  /** When it reached its terminal state (engine time), if it did. */
  terminalAt?: number;
  completions: number;
  incidentMessage?: string;
  why?: string;
}

export interface Verdict {
  tasks: number;
  completed: number;
  incidents: number;
  gone: number;
  lost: number;
  duplicated: number;
  effectsApplied: number;
  calls: number;
  /** Workflows of the topic still running that are not waiting on an incident (nothing may loop for ever). */
  workflowsOpen: number;
  instances: InstanceVerdict[];
  incidentMessages: Record<string, number>;
}

const PAGE = 500;

async function paged<T>(camunda: CamundaClient, path: string, query: Record<string, unknown>): Promise<T[]> {
  const all: T[] = [];
  for (let first = 0; ; first += PAGE) {
    const page = await camunda.get<T[]>(path, { ...query, firstResult: first, maxResults: PAGE });
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

interface LogEntry {
  id: string;
  externalTaskId: string;
  processInstanceId: string;
  timestamp: string;
}
interface Incident {
  id: string;
  processInstanceId: string;
  incidentMessage: string | null;
  incidentTimestamp: string;
  incidentType: string;
}
interface RuntimeTask {
  id: string;
  processInstanceId: string;
  retries: number | null;
}

/** Counts what is not yet terminal: tasks of the topic with retries left (no incident), and unstarted ones. */
export async function pendingTasks(camunda: CamundaClient, topic: string): Promise<number> {
  const { count } = await camunda.get<{ count: number }>('/external-task/count', {
    topicName: topic,
    withRetriesLeft: true,
  });
  return count;
}

export async function check(options: {
  camunda: CamundaClient;
  temporal: Client;
  topic: string;
  processKey: string;
  instances: Iterable<StreamInstance>;
  /** Instances whose task the scenario removed, with when. */
  removed: ReadonlyMap<string, number>;
  ledger: LedgerSummary;
}): Promise<Verdict> {
  const { camunda, topic } = options;
  const log = (kind: 'successLog' | 'creationLog') =>
    paged<LogEntry>(camunda, '/history/external-task-log', {
      topicName: topic,
      [kind]: true,
      sortBy: 'externalTaskId',
      sortOrder: 'asc',
    });
  const [successes, creations, incidents, runtime] = await Promise.all([
    log('successLog'),
    log('creationLog'),
    paged<Incident>(camunda, '/incident', { processDefinitionKeyIn: options.processKey }),
    paged<RuntimeTask>(camunda, '/external-task', { topicName: topic }),
  ]);
  const running = new Set<string>();
  for await (const wf of options.temporal.workflow.list({
    query: `BptlTopic = '${topic}' AND ExecutionStatus = 'Running'`,
  })) {
    const taskId = wf.workflowId.split('/').pop();
    if (taskId) running.add(taskId);
  }

  const successByInstance = new Map<string, LogEntry[]>();
  const seenLog = new Set<string>();
  for (const e of successes) {
    if (seenLog.has(e.id)) continue;
    seenLog.add(e.id);
    const list = successByInstance.get(e.processInstanceId) ?? [];
    list.push(e);
    successByInstance.set(e.processInstanceId, list);
  }
  const tasksByInstance = new Map<string, Set<string>>();
  for (const e of creations) {
    const set = tasksByInstance.get(e.processInstanceId) ?? new Set<string>();
    set.add(e.externalTaskId);
    tasksByInstance.set(e.processInstanceId, set);
  }
  const incidentByInstance = new Map<string, Incident>();
  for (const i of incidents) incidentByInstance.set(i.processInstanceId, i);
  const runtimeByInstance = new Map<string, RuntimeTask[]>();
  for (const t of runtime) {
    const list = runtimeByInstance.get(t.processInstanceId) ?? [];
    list.push(t);
    runtimeByInstance.set(t.processInstanceId, list);
  }

  const verdicts: InstanceVerdict[] = [];
  const incidentMessages: Record<string, number> = {};
  let duplicated = 0;
  let workflowsOpen = 0;
  for (const instance of options.instances) {
    const pid = instance.processInstanceId;
    const logs = successByInstance.get(pid) ?? [];
    const perTask = new Map<string, number>();
    for (const l of logs) perTask.set(l.externalTaskId, (perTask.get(l.externalTaskId) ?? 0) + 1);
    const completedTwice = [...perTask.values()].some((n) => n > 1);
    const effects = options.ledger.appliedBySeq.get(instance.seq) ?? 0;
    if (completedTwice || effects > 1) duplicated++;
    const left = runtimeByInstance.get(pid) ?? [];
    const incident = incidentByInstance.get(pid);
    const base = { seq: instance.seq, processInstanceId: pid, completions: logs.length };
    const stillRunning = [...(tasksByInstance.get(pid) ?? [])].some((id) => running.has(id));
    let verdict: InstanceVerdict;
    if (incident && left.length > 0) {
      const message = incident.incidentMessage ?? '';
      verdict = {
        ...base,
        fate: message ? 'incident' : 'lost',
        terminalAt: parseCamundaDate(incident.incidentTimestamp).getTime(),
        incidentMessage: message,
        ...(message ? {} : { why: 'an incident without a message' }),
      };
      const short = message.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '…').slice(0, 120);
      incidentMessages[short] = (incidentMessages[short] ?? 0) + 1;
    } else if (left.length > 0) {
      verdict = { ...base, fate: 'lost', why: `task ${left[0]?.id} still open, retries ${left[0]?.retries}` };
    } else if (options.removed.has(instance.seq)) {
      const open = stillRunning;
      verdict = {
        ...base,
        fate: logs.length > 0 && !open ? 'completed' : open ? 'lost' : 'gone',
        terminalAt: options.removed.get(instance.seq) ?? 0,
        ...(open ? { why: 'removed, but its workflow still runs' } : {}),
      };
    } else if (logs.length > 0) {
      const last = Math.max(...logs.map((l) => parseCamundaDate(l.timestamp).getTime()));
      verdict = { ...base, fate: 'completed', terminalAt: last };
    } else {
      verdict = { ...base, fate: 'lost', why: 'no task left, no success entry, not removed by the scenario' };
    }
    if (stillRunning && verdict.fate !== 'incident') workflowsOpen++;
    verdicts.push(verdict);
  }

  const count = (fate: TaskFate) => verdicts.filter((v) => v.fate === fate).length;
  return {
    tasks: verdicts.length,
    completed: count('completed'),
    incidents: count('incident'),
    gone: count('gone'),
    lost: count('lost'),
    duplicated,
    effectsApplied: options.ledger.applied,
    calls: options.ledger.calls,
    workflowsOpen,
    instances: verdicts,
    incidentMessages,
  };
}

/**
 * The task list: external tasks' workflows from Temporal's visibility, filtered by topic, status, state,
 * outcome, process instance, business key and start time, newest first, a page at a time; each row leads to
 * the task's detail.
 */
import { html } from 'hono/html';
import { z } from 'zod';
import { EXECUTION_STATUSES, TASK_OUTCOMES, type TaskFilter, type TaskPage } from '../../api/task-search.ts';
import { type TaskState, TaskStates } from '../../workflows/task-state.ts';
import { type Markup, notice, page } from '../layout.ts';
import type { Session } from '../session.ts';

export const TASKS_PAGE_SIZE = 50;

const blank = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());
/** `datetime-local` gives minutes without a zone: read as UTC, as the list shows times. */
const localTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'a date and time like 2026-12-03T08:30')
  .transform((value) => new Date(`${value}Z`));

/** The list's query string. */
export const taskListQuery = z.object({
  topic: optional(z.string().max(255)),
  status: optional(z.enum(EXECUTION_STATUSES)),
  state: optional(z.enum(Object.values(TaskStates) as [TaskState, ...TaskState[]])),
  outcome: optional(z.enum(TASK_OUTCOMES)),
  processInstanceId: optional(z.string().max(255)),
  businessKey: optional(z.string().max(255)),
  startedAfter: optional(localTime),
  startedBefore: optional(localTime),
  /** Rows a page. */
  size: z.preprocess(blank, z.coerce.number().int().min(1).max(500).default(TASKS_PAGE_SIZE)),
  page: optional(z.string().max(4096)),
});
export type TaskListQuery = z.output<typeof taskListQuery>;

/** Where a task's detail page is. */
export function taskHref(workflowId: string, runId?: string): string {
  return `/console/tasks/${encodeURIComponent(workflowId)}${runId ? `?runId=${encodeURIComponent(runId)}` : ''}`;
}

const minute = (date: Date | undefined) => (date ? date.toISOString().slice(0, 16) : '');

function select(name: string, values: readonly string[], chosen: string | undefined, any: string): Markup {
  return html`<select id="${name}" name="${name}"><option value="">${any}</option>${values.map(
    (v) => html`<option value="${v}"${v === chosen ? html` selected` : ''}>${v}</option>`,
  )}</select>`;
}

export function tasksPage(
  session: Session,
  view: {
    filter: TaskFilter;
    /** The configured topics, offered as the topic filter's suggestions (any topic name can be typed). */
    topics: readonly string[];
    result?: TaskPage;
    error?: string;
    /** The query string of this list without its page token. */
    queryWithoutPage: string;
  },
): Markup {
  const { filter, result } = view;
  const next = result?.nextPageToken;
  return page({
    title: 'Tasks',
    session,
    active: '/console/tasks',
    body: html`<form class="filters" method="get" action="/console/tasks">
  <div><label for="topic">Topic</label><input type="text" id="topic" name="topic" list="known-topics" value="${filter.topic ?? ''}" placeholder="any topic">
    <datalist id="known-topics">${view.topics.map((t) => html`<option value="${t}"></option>`)}</datalist></div>
  <div><label for="status">Status</label>${select('status', EXECUTION_STATUSES, filter.status, 'any status')}</div>
  <div><label for="state">Waiting in</label>${select('state', Object.values(TaskStates), filter.state, 'any state')}</div>
  <div><label for="outcome">Outcome</label>${select('outcome', TASK_OUTCOMES, filter.outcome, 'any outcome')}</div>
  <div><label for="processInstanceId">Process instance</label><input type="text" id="processInstanceId" name="processInstanceId" value="${filter.processInstanceId ?? ''}"></div>
  <div><label for="businessKey">Business key</label><input type="text" id="businessKey" name="businessKey" value="${filter.businessKey ?? ''}"></div>
  <div><label for="startedAfter">Started from (UTC)</label><input type="datetime-local" id="startedAfter" name="startedAfter" value="${minute(filter.startedAfter)}"></div>
  <div><label for="startedBefore">Started before (UTC)</label><input type="datetime-local" id="startedBefore" name="startedBefore" value="${minute(filter.startedBefore)}"></div>
  <div class="actions"><button type="submit">Filter</button> <a href="/console/tasks">Clear</a></div>
</form>
${view.error ? notice('error', view.error) : ''}
${
  result === undefined
    ? ''
    : result.tasks.length === 0
      ? html`<p class="muted" id="no-tasks">No task matches.</p>`
      : html`<table id="tasks">
  <thead><tr><th>Started</th><th>Topic</th><th>Status</th><th>State / outcome</th><th>Process instance</th><th>Business key</th><th>Workflow</th></tr></thead>
  <tbody>
  ${result.tasks.map(
    (t) => html`<tr>
    <td>${t.startTime.toISOString()}</td>
    <td>${t.topic ?? ''}</td>
    <td>${t.status}</td>
    <td>${t.outcome ? html`<span class="outcome ${t.outcome}">${t.outcome}</span>` : (t.state ?? '')}${t.reason && !t.outcome ? html`<div class="muted">${t.reason}</div>` : ''}</td>
    <td><code>${t.processInstanceId ?? ''}</code></td>
    <td>${t.businessKey ?? ''}</td>
    <td><a href="${taskHref(t.workflowId, t.runId)}"><code>${t.workflowId}</code></a></td>
  </tr>`,
  )}
  </tbody>
</table>`
}
${next ? html`<p class="pager"><a id="next-page" href="/console/tasks?${view.queryWithoutPage}${view.queryWithoutPage ? '&' : ''}page=${encodeURIComponent(next)}">Next page</a></p>` : ''}`,
  });
}

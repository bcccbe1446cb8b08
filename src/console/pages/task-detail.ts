/**
 * One task: its outcome or where it waits and why, the external task in the engine now, the attempts of its
 * work unit and its engine calls with their errors (message, type, stack), each attempt's outbound requests
 * and lock, the run's lock renewals, and links to the run in the Temporal UI and to the process instance in
 * Cockpit.
 */
import { html } from 'hono/html';
import { type Markup, notice, page } from '../layout.ts';
import type { Session } from '../session.ts';
import type { ActivityView, FailureView, TaskDetail } from '../task-detail.ts';

export interface TaskLinks {
  temporalRun: string | undefined;
  cockpitInstance: string | undefined;
}

function failureBlock(failure: FailureView | undefined): Markup | string {
  if (!failure) return '';
  return html`<div class="failure">
  <div><strong>${failure.type ?? 'error'}</strong>: ${failure.message}</div>
  ${failure.causes.map((c) => html`<div class="muted">caused by ${c.type ? html`<strong>${c.type}</strong>: ` : ''}${c.message}</div>`)}
  ${failure.stack ? html`<details><summary>stack</summary><pre>${failure.stack}</pre></details>` : ''}
</div>`;
}

function requestsBlock(a: ActivityView): Markup | string {
  const requests = a.requests ?? [];
  if (requests.length === 0) {
    // A timed-out or cancelled attempt has no result and no failure details in the history: its requests are
    // not known (which is not the same as none).
    if (a.result === 'timed-out' || a.result === 'canceled') {
      return html`<p class="muted">Outbound requests not known: a ${a.result} attempt leaves no result in the history.</p>`;
    }
    return html`<p class="muted">No outbound requests recorded.</p>`;
  }
  return html`<table class="outbound-requests">
  <caption>Outbound requests</caption>
  <thead><tr><th>Time</th><th>Method</th><th>Origin</th><th>Path</th><th>Status</th><th>Took</th></tr></thead>
  <tbody>
  ${requests.map(
    (r) => html`<tr class="request">
    <td>${new Date(r.at).toISOString()}</td>
    <td>${r.method}</td>
    <td>${r.origin}</td>
    <td><code>${r.path}</code></td>
    <td>${r.status !== undefined ? html`<span class="status${r.status >= 400 ? ' bad' : ''}">${r.status}</span>` : html`<strong class="bad">${r.code ?? 'no answer'}</strong>`}</td>
    <td>${r.durationMs} ms</td>
  </tr>`,
  )}
  </tbody>
</table>${a.requestsDropped ? html`<p class="muted">And ${a.requestsDropped} more requests, not kept.</p>` : ''}`;
}

function lockLine(a: ActivityView): Markup {
  if (!a.lock) return html`<p class="lock muted">Lock: not renewed by the runner during this attempt.</p>`;
  return html`<p class="lock">Lock: renewed ${a.lock.renewals} times by the runner; ${a.lock.status}; expires at
${a.lock.expiresAt.toISOString()}.</p>`;
}

function attemptBlock(a: ActivityView): Markup {
  return html`<tr class="attempt-detail"><td colspan="4">
  ${a.payloadError ? notice('error', `The attempt's ${a.result === 'completed' ? 'result' : 'failure details'} could not be decoded: ${a.payloadError}`) : html`${requestsBlock(a)}${lockLine(a)}`}
</td></tr>`;
}

function activityRow(a: ActivityView, attempt: number | undefined): Markup {
  const isAttempt = attempt !== undefined && a.result !== 'running';
  return html`<tr class="activity ${a.result}">
  <td><code>${a.type}</code>${attempt === undefined ? '' : html` <span class="muted">attempt ${attempt}</span>`}</td>
  <td>${a.scheduledAt?.toISOString() ?? ''}</td>
  <td>${a.closedAt && a.scheduledAt ? `${a.closedAt.getTime() - a.scheduledAt.getTime()} ms` : ''}</td>
  <td><span class="result ${a.result}">${a.result}</span>${a.keepLock ? html` <span class="muted">(${a.keepLock})</span>` : ''}${a.type === 'keepLock' && a.payloadError ? html` <span class="bad">result not decoded: ${a.payloadError}</span>` : ''}${failureBlock(a.failure)}</td>
</tr>${isAttempt ? attemptBlock(a) : ''}`;
}

function lockRenewalsBlock(detail: TaskDetail): Markup {
  const r = detail.lockRenewals;
  return html`<table id="lock-renewals" class="fields">
  <tr><th>By the work unit's runner</th><td>${r.byRunner} renewals (summed over its attempts)</td></tr>
  <tr><th>By the workflow (keepLock)</th><td>${r.keepLock.length} calls${r.keepLock.length > 0 ? html`<ul>${r.keepLock.map((k) => html`<li>${k.at?.toISOString() ?? ''}: ${k.status}${k.local ? html` <span class="muted">(local activity)</span>` : ''}</li>`)}</ul>` : ''}</td></tr>
  <tr><th>Total</th><td><strong>${r.byRunner + r.keepLock.length}</strong></td></tr>
  ${r.undecoded > 0 ? html`<tr><th>Not decoded</th><td class="bad">${r.undecoded} payloads could not be decoded: their renewals are not counted</td></tr>` : ''}
</table>`;
}

function engineTaskBlock(detail: TaskDetail): Markup | string {
  const t = detail.engineTask;
  if (t === undefined) return html`<p class="muted">Not an engine's external task.</p>`;
  if ('gone' in t) {
    return html`<p id="engine-task">The engine has no such external task now: it was completed, its process instance
ended or was deleted, or the task was handled by another path.</p>`;
  }
  if ('error' in t) return notice('error', `The engine could not be asked: ${t.error}`);
  const f = t.task;
  const field = (name: string) => (f[name] === null || f[name] === undefined ? '' : String(f[name]));
  return html`<table id="engine-task" class="fields">
  <tr><th>Activity</th><td><code>${field('activityId')}</code></td></tr>
  <tr><th>Topic</th><td>${field('topicName')}</td></tr>
  <tr><th>Locked by</th><td>${field('workerId') || html`<span class="muted">not locked</span>`}</td></tr>
  <tr><th>Lock expires</th><td>${field('lockExpirationTime')}</td></tr>
  <tr><th>Retries</th><td>${field('retries') || html`<span class="muted">not set (no failure reported)</span>`}</td></tr>
  <tr><th>Incident</th><td>${f.retries === 0 ? html`<strong class="bad">open</strong>: ${field('errorMessage')}` : html`<span class="muted">none</span>`}</td></tr>
  <tr><th>Suspended</th><td>${field('suspended')}</td></tr>
</table>`;
}

export function taskDetailPage(session: Session, detail: TaskDetail, links: TaskLinks): Markup {
  const attrs = detail.attributes;
  const outcome = attrs.BptlOutcome;
  let attempt = 0;
  return page({
    title: `Task ${detail.workflowId}`,
    session,
    active: '/console/tasks',
    body: html`<p class="links">
  ${links.temporalRun ? html`<a id="temporal-link" href="${links.temporalRun}">Open the run in the Temporal UI</a>` : html`<span class="muted">Set BPTL_TEMPORAL_UI_URL to link the run in the Temporal UI.</span>`}
  ${links.cockpitInstance ? html` · <a id="cockpit-link" href="${links.cockpitInstance}">Open the process instance in Cockpit</a>` : ''}
</p>
<table class="fields" id="summary">
  <tr><th>Outcome</th><td>${outcome ? html`<span class="outcome ${outcome}">${outcome}</span>` : html`<span class="muted">not ended</span>`}</td></tr>
  <tr><th>Temporal status</th><td>${detail.status}</td></tr>
  <tr><th>State</th><td>${detail.state ? html`<strong>${detail.state.state}</strong> since ${detail.state.since}<div>${detail.state.reason}</div>${detail.state.lastError ? html`<div class="muted">last error: ${detail.state.lastError.type}: ${detail.state.lastError.message}</div>` : ''}` : (attrs.BptlState ?? '')}</td></tr>
  <tr><th>Topic</th><td>${attrs.BptlTopic ?? ''} → <code>${attrs.BptlWorkUnit ?? ''}</code></td></tr>
  <tr><th>Engine</th><td>${attrs.BptlEngine ?? ''}</td></tr>
  <tr><th>Process instance</th><td><code>${attrs.BptlProcessInstanceId ?? ''}</code> ${attrs.BptlProcessDefinitionKey ? html`<span class="muted">(${attrs.BptlProcessDefinitionKey})</span>` : ''}</td></tr>
  <tr><th>Business key</th><td>${attrs.BptlBusinessKey ?? ''}</td></tr>
  <tr><th>Started</th><td>${detail.startTime.toISOString()}</td></tr>
  <tr><th>Closed</th><td>${detail.closeTime?.toISOString() ?? ''}</td></tr>
  <tr><th>Run</th><td><code>${detail.runId}</code></td></tr>
</table>
<h2>The external task in the engine now</h2>
${engineTaskBlock(detail)}
${
  detail.pending.length === 0
    ? ''
    : html`<h2>Running now</h2>
<table id="pending"><thead><tr><th>Activity</th><th>Attempt</th><th>State</th><th>Last failure</th></tr></thead><tbody>
${detail.pending.map((p) => html`<tr><td><code>${p.type}</code></td><td>${p.attempt}</td><td>${p.state}</td><td>${failureBlock(p.lastFailure)}</td></tr>`)}
</tbody></table>`
}
<h2>Attempts and engine calls</h2>
${detail.historyError ? notice('error', `The history could not be read: ${detail.historyError}`) : ''}
<table id="activities">
  <thead><tr><th>Activity</th><th>Scheduled</th><th>Took</th><th>Result</th></tr></thead>
  <tbody>
  ${detail.activities.map((a) => activityRow(a, a.type === 'runWorkUnit' ? ++attempt : undefined))}
  </tbody>
</table>
${detail.localActivities > 0 ? html`<p class="muted">And ${detail.localActivities} engine calls run as local activities (see the run's history in the Temporal UI).</p>` : ''}
<h2>Lock renewals</h2>
${lockRenewalsBlock(detail)}`,
  });
}

/** The audit log: every write of the configuration, newest first, a page at a time. */
import { html } from 'hono/html';
import type { AuditEntry } from '../../store/audit-repository.ts';
import { type Markup, page } from '../layout.ts';
import type { Session } from '../session.ts';

export const AUDIT_PAGE_SIZE = 50;

export function auditPage(session: Session, entries: readonly AuditEntry[], more: boolean): Markup {
  const last = entries.at(-1);
  return page({
    title: 'Audit log',
    session,
    active: '/console/audit',
    body: html`${
      entries.length === 0
        ? html`<p class="muted">Nothing has been written to the configuration yet.</p>`
        : html`<table>
  <thead><tr><th>When</th><th>Who</th><th>What</th><th>Revision</th><th>Change</th></tr></thead>
  <tbody>
  ${entries.map(
    (entry) => html`<tr>
    <td>${entry.at.toISOString()}</td>
    <td>${entry.actor}</td>
    <td>${entry.action} ${entry.resourceType} <code>${entry.resourceName}</code></td>
    <td>${entry.revision}</td>
    <td>
      ${entry.before === null ? '' : html`<details><summary>before</summary><pre>${JSON.stringify(entry.before, null, 2)}</pre></details>`}
      ${entry.after === null ? '' : html`<details><summary>after</summary><pre>${JSON.stringify(entry.after, null, 2)}</pre></details>`}
    </td>
  </tr>`,
  )}
  </tbody>
</table>`
    }
${more && last ? html`<p class="pager"><a href="/console/audit?beforeId=${last.id}">Older entries</a></p>` : ''}`,
  });
}

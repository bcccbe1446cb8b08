/** The work units of the registry: what each does, the services it needs, its input and output schemas. */
import { html } from 'hono/html';
import type { WorkUnitDescription } from '../../work-units/describe-work-unit.ts';
import { type Markup, page } from '../layout.ts';
import type { Session } from '../session.ts';

export function workUnitsPage(session: Session, units: readonly WorkUnitDescription[]): Markup {
  return page({
    title: 'Work units',
    session,
    active: '/console/work-units',
    body: html`<p class="muted">${units.length} work units in this process's registry. A topic names one of
them; its input is read from the task's variables, its output becomes the variables the task completes with.</p>
<table>
  <thead><tr><th>Name</th><th>Description</th><th>Services</th><th>Schemas</th></tr></thead>
  <tbody>
  ${units.map(
    (unit) => html`<tr id="unit-${unit.name}">
    <td><code>${unit.name}</code></td>
    <td>${unit.description}</td>
    <td>${unit.services.length === 0 ? html`<span class="muted">none</span>` : unit.services.join(', ')}</td>
    <td>
      <details><summary>input</summary><pre>${JSON.stringify(unit.input, null, 2)}</pre></details>
      <details><summary>output</summary><pre>${JSON.stringify(unit.output, null, 2)}</pre></details>
    </td>
  </tr>`,
  )}
  </tbody>
</table>`,
  });
}

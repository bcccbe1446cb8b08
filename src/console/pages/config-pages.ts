/**
 * The pages topics, engines and services share: a list (read-only for a viewer), a create/edit form, a delete
 * confirmation, and the page that refuses a write. An edit form and a delete carry the version the row was
 * read at (`version`), so a write made after someone else's is refused instead of undoing it.
 */
import { html } from 'hono/html';
import type { FieldIssue, FieldSpec, FormMode, FormValues } from '../forms.ts';
import { type Markup, notice, page } from '../layout.ts';
import type { Session } from '../session.ts';
import { csrfField, formFields, issuesNotice } from './form-fields.ts';

export interface Column<Row> {
  label: string;
  cell(row: Row): Markup | string;
}

export function listPage<Row>(options: {
  title: string;
  active: string;
  session: Session;
  rows: readonly Row[];
  columns: ReadonlyArray<Column<Row>>;
  /** Whether the session may write: the links to create, edit and delete. */
  canWrite: boolean;
  /** Why nobody can write here (a read-only configuration), said above the list. */
  readOnly?: string | undefined;
  /** A confirmation of the write that led here. */
  done?: string | undefined;
  /** A write from the list that failed (a stale enable/disable). */
  error?: string | undefined;
  newHref: string;
  newLabel: string;
  empty: string;
  /** The row's actions: edit, delete, and any of its own (a topic's enable/disable). */
  actions(row: Row): Markup;
  intro?: Markup;
}): Markup {
  const { rows, columns, canWrite } = options;
  return page({
    title: options.title,
    session: options.session,
    active: options.active,
    body: html`${options.error ? notice('error', options.error) : ''}
${options.done ? notice('info', options.done) : ''}
${options.readOnly ? notice('info', `Read only: ${options.readOnly}`) : ''}
${options.intro ?? ''}
${canWrite ? html`<p class="links"><a class="button" id="new" href="${options.newHref}">${options.newLabel}</a></p>` : ''}
${
  rows.length === 0
    ? html`<p class="muted" id="empty">${options.empty}</p>`
    : html`<table id="list">
  <thead><tr>${columns.map((col) => html`<th>${col.label}</th>`)}${canWrite ? html`<th></th>` : ''}</tr></thead>
  <tbody>${rows.map(
    (row) =>
      html`<tr>${columns.map((col) => html`<td>${col.cell(row)}</td>`)}${
        canWrite ? html`<td class="actions">${options.actions(row)}</td>` : ''
      }</tr>`,
  )}</tbody>
</table>`
}`,
  });
}

/** An edit's "changed by someone else" notice, with what is stored now. */
export interface StaleState {
  message: string;
  /** The row as stored now (secrets redacted), or undefined when it was deleted. */
  current: unknown;
  reloadHref: string;
}

export function formPage(options: {
  title: string;
  active: string;
  session: Session;
  action: string;
  mode: FormMode;
  fields: readonly FieldSpec[];
  values: FormValues;
  issues: readonly FieldIssue[];
  choices?: Record<string, readonly string[]>;
  /** The version the edited row was read at. */
  version?: number;
  stale?: StaleState | undefined;
  /** A problem that is not one field's (e.g. the row is gone). */
  error?: string | undefined;
  cancelHref: string;
  /** What the form shows beside it (a topic's work unit). */
  aside?: Markup;
  /** Above the fields (e.g. an edit's key). */
  intro?: Markup;
}): Markup {
  const { session, mode, stale } = options;
  const hasSecrets = options.fields.some((f) => f.kind === 'secret');
  return page({
    title: options.title,
    session,
    active: options.active,
    body: html`${
      stale
        ? html`<div class="notice error" role="alert" id="stale">
  <p>${stale.message}</p>
  <p>Your changes are kept below, not saved. <a href="${stale.reloadHref}">Reload</a> to edit what is stored now.</p>
  ${stale.current === undefined ? '' : html`<details><summary>what is stored now</summary><pre>${JSON.stringify(stale.current, null, 2)}</pre></details>`}
</div>`
        : ''
    }
${options.error ? notice('error', options.error) : ''}
${issuesNotice(options.issues)}
<div class="split">
<form class="config" method="post" action="${options.action}" id="config-form">
  ${csrfField(session)}
  ${options.version === undefined ? '' : html`<input type="hidden" name="version" value="${options.version}">`}
  ${options.intro ?? ''}
  ${formFields({ fields: options.fields, values: options.values, issues: options.issues, mode, ...(options.choices ? { choices: options.choices } : {}) })}
  ${
    hasSecrets
      ? html`<p class="muted">Secrets are write-only: they are never shown, not even after a failed save (type
  them again then). Only the fields of the chosen auth type are used.${mode === 'edit' ? ' A secret left empty keeps the stored one.' : ''}</p>`
      : ''
  }
  <p><button type="submit">${mode === 'create' ? 'Create' : 'Save'}</button> <a href="${options.cancelHref}">Cancel</a></p>
</form>
${options.aside ? html`<aside>${options.aside}</aside>` : ''}
</div>`,
  });
}

export function confirmDeletePage(options: {
  title: string;
  active: string;
  session: Session;
  what: string;
  action: string;
  version: number;
  cancelHref: string;
  error?: string | undefined;
  warning?: string | undefined;
}): Markup {
  const { session } = options;
  return page({
    title: options.title,
    session,
    active: options.active,
    body: html`${options.error ? notice('error', options.error) : ''}
<form class="config" method="post" action="${options.action}" id="delete-form">
  ${csrfField(session)}
  <input type="hidden" name="version" value="${options.version}">
  <p>Delete ${options.what}? This cannot be undone.${options.warning ? ` ${options.warning}` : ''}</p>
  <p><button type="submit" class="danger">Delete</button> <a href="${options.cancelHref}">Cancel</a></p>
</form>`,
  });
}

/** The answer to a write the session may not make (a viewer), or that nobody may make here (read-only). */
export function refusedPage(session: Session, message: string): Markup {
  return page({ title: 'Refused', session, body: notice('error', message) });
}

/** A row's edit link and delete link. */
export function editDeleteLinks(editHref: string, deleteHref: string): Markup {
  return html`<a href="${editHref}">Edit</a> <a href="${deleteHref}">Delete</a>`;
}

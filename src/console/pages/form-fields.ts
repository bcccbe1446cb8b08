/**
 * The markup of the configuration forms' fields (forms.ts says what they are): each with its label, its value,
 * its help and the issues that name it. A secret field is always rendered empty, with no value attribute.
 */
import { html } from 'hono/html';
import type { FieldIssue, FieldSpec, FormMode, FormValues } from '../forms.ts';
import { issueOf } from '../forms.ts';
import type { Markup } from '../layout.ts';
import type { Session } from '../session.ts';

const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** The session's CSRF token, for a form. */
export function csrfField(session: Session): Markup {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
}

/** The issues of a submitted form, each naming its field, above the form. */
export function issuesNotice(issues: readonly FieldIssue[]): Markup {
  if (issues.length === 0) return html``;
  return html`<div class="notice error" role="alert" id="form-errors">
  <p>The form was not saved: ${issues.length === 1 ? 'one field needs' : `${issues.length} fields need`} a change.</p>
  <ul>${issues.map((issue) => html`<li><code>${issue.field}</code>: ${issue.message}</li>`)}</ul>
</div>`;
}

/** Whether an edit's empty secret field keeps a stored secret: the row's auth type is the field's. */
function keeps(field: FieldSpec, values: FormValues, mode: FormMode): boolean {
  return mode === 'edit' && (!field.authTypes || field.authTypes.includes(values['auth.type'] ?? ''));
}

function control(field: FieldSpec, value: string, options: readonly string[], keep: boolean): Markup {
  const id = idOf(field.name);
  switch (field.kind) {
    case 'checkbox':
      return html`<input type="checkbox" id="${id}" name="${field.name}"${value === 'on' ? html` checked` : ''}>`;
    case 'select': {
      const choices = options.includes(value) || value === '' ? options : [value, ...options];
      const empty =
        field.emptyLabel !== undefined
          ? html`<option value=""${value === '' ? html` selected` : ''}>${field.emptyLabel}</option>`
          : value === ''
            ? html`<option value="">(choose)</option>`
            : '';
      return html`<select id="${id}" name="${field.name}">${empty}${choices.map(
        (choice) =>
          html`<option value="${choice}"${choice === value ? html` selected` : ''}>${choice}</option>`,
      )}</select>`;
    }
    case 'json':
      return html`<textarea id="${id}" name="${field.name}" rows="4" spellcheck="false">${value}</textarea>`;
    case 'secret':
      return html`<input type="password" id="${id}" name="${field.name}" autocomplete="new-password"${
        keep ? html` placeholder="leave empty to keep the stored one"` : ''
      }>`;
    case 'number':
      return html`<input type="text" inputmode="decimal" id="${id}" name="${field.name}" value="${value}">`;
    default:
      return html`<input type="text" id="${id}" name="${field.name}" value="${value}">`;
  }
}

/** The form's fields, with what each submitted issue says under the field it names. */
export function formFields(options: {
  fields: readonly FieldSpec[];
  values: FormValues;
  issues: readonly FieldIssue[];
  mode: FormMode;
  /** Choices of selects whose options are not in the spec (engines, work units). */
  choices?: Record<string, readonly string[]>;
}): Markup {
  const { fields, values, issues, mode, choices = {} } = options;
  return html`${fields.map((field) => {
    const mine = issues.filter((issue) => issueOf(field.name, issue));
    const keep = field.kind === 'secret' && keeps(field, values, mode);
    const help = keep ? `${field.help ?? 'write-only'}; leave empty to keep the stored one` : field.help;
    return html`<div class="field${mine.length > 0 ? ' invalid' : ''}">
  <label for="${idOf(field.name)}">${field.label}</label>
  ${control(field, values[field.name] ?? '', choices[field.name] ?? field.options ?? [], keep)}
  ${help ? html`<small class="muted">${help}</small>` : ''}
  ${mine.map((issue) => html`<small class="field-error">${issue.message}</small>`)}
</div>`;
  })}`;
}

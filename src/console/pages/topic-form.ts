/**
 * The topic form: its fields (config-fields.ts), and beside it the work units a topic can name, each with its
 * description, the service aliases it needs bound and its input/output JSON Schemas; the chosen unit's open,
 * the others collapsed (no script: choosing another shows its schemas after a save or a failed one).
 */
import { html } from 'hono/html';
import type { WorkUnitDescription } from '../../work-units/describe-work-unit.ts';
import { TOPIC_FIELDS } from '../config-fields.ts';
import { type FieldIssue, type FormMode, type FormValues, fieldsFor } from '../forms.ts';
import type { Markup } from '../layout.ts';
import type { Session } from '../session.ts';
import { formPage, type StaleState } from './config-pages.ts';
import { TOPICS_PATH } from './topics.ts';

function unitsAside(units: readonly WorkUnitDescription[], chosen: string | undefined): Markup {
  const unit = (
    u: WorkUnitDescription,
  ) => html`<details class="unit" id="unit-${u.name}"${u.name === chosen ? html` open` : ''}>
  <summary><code>${u.name}</code>${u.name === chosen ? ' (chosen)' : ''}</summary>
  <p>${u.description}</p>
  <p>Services to bind: ${u.services.length === 0 ? html`<span class="muted">none</span>` : html`${u.services.map((s) => html`<code>${s}</code> `)}`}</p>
  <p class="muted">Input (from the task's variables):</p>
  <pre>${JSON.stringify(u.input, null, 2)}</pre>
  <p class="muted">Output (the variables it completes with):</p>
  <pre>${JSON.stringify(u.output, null, 2)}</pre>
</details>`;
  const first = units.find((u) => u.name === chosen);
  return html`<h2>Work units</h2>
${first ? unit(first) : ''}
${units.filter((u) => u !== first).map(unit)}`;
}

export function topicFormPage(
  session: Session,
  options: {
    mode: FormMode;
    action: string;
    values: FormValues;
    issues: readonly FieldIssue[];
    engines: readonly string[];
    units: readonly WorkUnitDescription[];
    version?: number;
    /** An edit's key. */
    key?: { engine: string; topic: string };
    stale?: StaleState | undefined;
    error?: string | undefined;
  },
): Markup {
  const { mode, key } = options;
  return formPage({
    title: key ? `Topic ${key.engine}/${key.topic}` : 'New topic',
    active: TOPICS_PATH,
    session,
    action: options.action,
    mode,
    fields: fieldsFor(TOPIC_FIELDS, mode),
    values: options.values,
    issues: options.issues,
    choices: { engine: options.engines, workUnit: options.units.map((u) => u.name) },
    ...(options.version === undefined ? {} : { version: options.version }),
    stale: options.stale,
    error: options.error,
    cancelHref: TOPICS_PATH,
    ...(key
      ? {
          intro: html`<p>Engine <code>${key.engine}</code>, topic <code>${key.topic}</code> (the key: to
change it, create a new topic and delete this one).</p>`,
        }
      : {}),
    aside: unitsAside(options.units, options.values.workUnit),
  });
}

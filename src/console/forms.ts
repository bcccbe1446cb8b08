/**
 * The console's configuration forms as data: which fields a form has, how a submitted form becomes the input
 * the API's zod schemas parse (the same schemas, so the same rules), and how a stored row becomes the form's
 * values. A field's name is the dotted path of its value (`retry.maximumAttempts`, `auth.password`), so an
 * issue's path names the field it belongs to. Secrets are write-only: a row's secret never becomes a value,
 * and a submitted secret is never kept for the page (the pages render secret fields empty, always).
 */
import { formatPath } from '../config/format-issues.ts';

export type FieldKind =
  /** A line of text; left empty: left out (the schema's default), unless `required`. */
  | 'text'
  /** A number; left empty: left out. */
  | 'number'
  | 'checkbox'
  | 'select'
  /** A list of words, comma-separated; left empty: left out. */
  | 'list'
  /** A JSON object; left empty: left out. */
  | 'json'
  /** A write-only secret: on an edit, left empty keeps the stored one (`{ "set": true }`). */
  | 'secret';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  help?: string;
  /** A text that is sent as '' when left empty (the schema says what is wrong with that). */
  required?: boolean;
  /** The choices of a select. */
  options?: readonly string[];
  /** A select that may be left empty: what empty means (the first choice). Else empty shows "(choose)". */
  emptyLabel?: string;
  /** An auth field: used only when `auth.type` is one of these. */
  authTypes?: readonly string[];
  /** Shown only on the create form (a key: it cannot be changed after). */
  createOnly?: boolean;
  /** The value of a new row's form. */
  initial?: string;
}

/** What a form shows: each field's text (a checkbox's is 'on' when ticked). Never a secret. */
export type FormValues = Record<string, string>;

/** One thing wrong with a submitted form, named by its field (`(root)` when it is the whole). */
export interface FieldIssue {
  field: string;
  message: string;
}

export type FormMode = 'create' | 'edit';

/** The fields a form of `mode` has. */
export function fieldsFor(fields: readonly FieldSpec[], mode: FormMode): FieldSpec[] {
  return fields.filter((field) => mode === 'create' || !field.createOnly);
}

/** The values of a new row's form: the fields' initial values. */
export function initialValues(fields: readonly FieldSpec[]): FormValues {
  return Object.fromEntries(fields.flatMap((f) => (f.initial === undefined ? [] : [[f.name, f.initial]])));
}

/** What a submitted form said, field by field, to show again: secrets left out. */
export function submittedValues(fields: readonly FieldSpec[], body: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = body[field.name];
    if (field.kind === 'secret' || typeof value !== 'string') continue;
    values[field.name] = value;
  }
  return values;
}

function valueAt(record: unknown, path: string): unknown {
  let at: unknown = record;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) {
    if (at[key] === null || typeof at[key] !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}

/** The form's values of a stored row (as the store reads it: secrets are `{ "set": true }`, and skipped). */
export function recordValues(fields: readonly FieldSpec[], record: unknown): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    if (field.kind === 'secret') continue;
    const value = valueAt(record, field.name);
    if (value === undefined || value === null) continue;
    switch (field.kind) {
      case 'checkbox':
        if (value === true) values[field.name] = 'on';
        break;
      case 'list':
        values[field.name] = Array.isArray(value) ? value.join(', ') : String(value);
        break;
      case 'json':
        values[field.name] = JSON.stringify(value, null, 2);
        break;
      default:
        values[field.name] = String(value);
    }
  }
  return values;
}

/**
 * The input a submitted form stands for, for the API's schema to parse; `issues` for what cannot even be read
 * (JSON that does not parse). An auth field goes in only when the chosen `auth.type` is one of its types; a
 * secret left empty on an edit is `{ "set": true }` (keep the stored one).
 */
export function formInput(
  fields: readonly FieldSpec[],
  body: Record<string, unknown>,
  mode: FormMode,
): { input: Record<string, unknown>; issues: FieldIssue[] } {
  const input: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  const authType = typeof body['auth.type'] === 'string' ? body['auth.type'] : undefined;
  for (const field of fieldsFor(fields, mode)) {
    if (field.authTypes && (authType === undefined || !field.authTypes.includes(authType))) continue;
    const raw = body[field.name];
    const text = typeof raw === 'string' ? raw : '';
    const trimmed = text.trim();
    switch (field.kind) {
      case 'checkbox':
        setAt(input, field.name, raw !== undefined);
        break;
      case 'number':
        if (trimmed !== '') {
          const n = Number(trimmed);
          setAt(input, field.name, Number.isFinite(n) ? n : trimmed);
        }
        break;
      case 'list':
        if (trimmed !== '') {
          setAt(
            input,
            field.name,
            trimmed
              .split(',')
              .map((item) => item.trim())
              .filter((item) => item !== ''),
          );
        }
        break;
      case 'json':
        if (trimmed !== '') {
          try {
            setAt(input, field.name, JSON.parse(trimmed));
          } catch (error) {
            issues.push({ field: field.name, message: `is not valid JSON: ${(error as Error).message}` });
          }
        }
        break;
      case 'secret':
        // Not trimmed: a secret is what was typed.
        setAt(input, field.name, text === '' && mode === 'edit' ? { set: true } : text);
        break;
      default:
        if (trimmed !== '' || field.required) setAt(input, field.name, trimmed);
    }
  }
  return { input, issues };
}

/** Issues with paths (zod's, the store's ValidationError's) as the form names them. */
export function pathIssues(
  issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>,
): FieldIssue[] {
  return issues.map((issue) => ({ field: formatPath(issue.path), message: issue.message }));
}

/** Whether `issue` belongs to `field`: its path is the field's, or inside it (`services.zrc` → `services`). */
export function issueOf(field: string, issue: FieldIssue): boolean {
  return issue.field === field || issue.field.startsWith(`${field}.`) || issue.field.startsWith(`${field}[`);
}

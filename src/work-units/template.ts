/**
 * A tiny template language for work units: `{{name}}` and `{{obj.path}}` (or `{{list.0}}`) are replaced by
 * the value at that path of the variables. Strings are inserted as they are, other values as JSON. An `encode`
 * function escapes each value (`encodeURIComponent` in URLs, HTML escaping in HTML). A path that leads
 * nowhere throws a VariableError naming it.
 */
import { VariableError } from '../errors.ts';

const PLACEHOLDER = /\{\{\s*([\w$-]+(?:\.[\w$-]+)*)\s*\}\}/g;

/** The value at a dotted path (`a.b.0.c`; `.` is `root` itself) of `root`, or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  if (path === '' || path === '.') return root;
  let current = root;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? String(value);
}

/** Renders `template` with `variables`; `what` names the template in errors (e.g. `httpUrl`). */
export function renderTemplate(
  template: string,
  variables: Record<string, unknown>,
  options: { what: string; encode?: (text: string) => string },
): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = valueAt(variables, path);
    if (value === undefined) {
      throw new VariableError(
        path.split('.')[0] ?? path,
        `is used in ${options.what} ({{${path}}}) but has no value`,
      );
    }
    const text = toText(value);
    return options.encode ? options.encode(text) : text;
  });
}

/**
 * Renders every string in a JSON value. A string that is only one placeholder (`"{{order}}"`) becomes the
 * value itself, keeping its type (a number stays a number, an object an object).
 */
export function renderJsonTemplate(
  value: unknown,
  variables: Record<string, unknown>,
  options: { what: string },
): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([\w$-]+(?:\.[\w$-]+)*)\s*\}\}$/.exec(value);
    if (whole?.[1]) {
      const found = valueAt(variables, whole[1]);
      if (found === undefined) {
        throw new VariableError(
          whole[1].split('.')[0] ?? whole[1],
          `is used in ${options.what} ({{${whole[1]}}}) but has no value`,
        );
      }
      return found;
    }
    return renderTemplate(value, variables, options);
  }
  if (Array.isArray(value)) return value.map((v) => renderJsonTemplate(v, variables, options));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, renderJsonTemplate(v, variables, options)]),
    );
  }
  return value;
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

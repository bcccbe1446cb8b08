/**
 * `${NAME}` and `${NAME:-default}` in a configuration file, taken from the environment so that secrets and ports
 * need not be written in it. The file is parsed first and the values put in after, into string values only: an
 * environment value is never YAML (or JSON), so a password holding `#`, `: `, `*`, `&` or quotes is taken as it
 * is, and a file that does not parse shows `${NAME}`, never the value. A substituted value is always a string (a
 * number or boolean field is written in the file); a value is not substituted again; a key holding `${...}` is
 * an error. An unset or empty variable without a default is an error naming it and where it is used; all of
 * them are reported at once.
 */
import { ConfigError } from '../errors.ts';
import { formatPath } from './format-issues.ts';

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const anyReference = /\$\{[^}]*\}/;

/** `value` (a parsed document) with `${NAME}` replaced in its strings; `source` names the file in errors. */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv = process.env,
  source = 'configuration',
): unknown {
  const problems: string[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(reference, (whole, name: string, fallback?: string) => {
        const found = env[name];
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        problems.push(
          `  - ${formatPath(path)}: environment variable ${name} is not set (write \${${name}:-default} for a default)`,
        );
        return whole;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) {
        if (anyReference.test(key)) {
          problems.push(
            `  - ${formatPath(path)}: the key '${key}' holds \${...}: only values are taken from the environment`,
          );
        }
        // defineProperty: a key `__proto__` stays a plain key.
        Object.defineProperty(out, key, {
          value: walk(item, [...path, key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return node;
  };
  const result = walk(value, []);
  if (problems.length > 0) throw new ConfigError(`${source}:\n${problems.join('\n')}`);
  return result;
}

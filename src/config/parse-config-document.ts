/**
 * The text of a configuration file (YAML, or JSON for a `.json` file) → its value, parsed first and then given
 * its environment values (`substitute-env.ts`), so that no environment value is ever read as YAML or shown in a
 * parse error. Shared by the configuration file (`load-config.ts`) and `bptl topics apply -f`.
 */
import { parse as parseYaml } from 'yaml';
import { ConfigError, ensureError } from '../errors.ts';
import { substituteEnv } from './substitute-env.ts';

export function parseConfigDocument(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): unknown {
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new ConfigError(`${file} does not parse: ${ensureError(cause).message}`, { cause });
  }
  return substituteEnv(raw, env, file);
}

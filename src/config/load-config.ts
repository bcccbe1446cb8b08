/**
 * Loads the configuration file (YAML or JSON), validates it, and checks what zod alone cannot: engine names
 * are unique, each topic names a known engine and an existing work unit, and a topic appears once per engine.
 * Every problem is reported at once, each naming its field.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.ts';
import { formatIssues, formatPath } from './format-issues.ts';
import { type BptlConfig, bptlConfigSchema, type TopicConfig } from './topic-config.ts';

/** Validates a parsed configuration object. `workUnitNames` are the names the registry knows. */
export function parseConfig(
  raw: unknown,
  workUnitNames: ReadonlySet<string>,
  source = 'configuration',
): BptlConfig {
  const parsed = bptlConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${source} is invalid:\n${formatIssues(parsed.error.issues)}`);
  }
  const problems: string[] = [];
  const engines = new Set<string>();
  parsed.data.engines.forEach((engine, i) => {
    if (engines.has(engine.name)) problems.push(`  - engines[${i}].name: duplicate engine '${engine.name}'`);
    engines.add(engine.name);
  });
  const seen = new Set<string>();
  const topics: TopicConfig[] = parsed.data.topics.map((topic, i) => {
    const at = (field: string) => formatPath(['topics', i, field]);
    let engine = topic.engine;
    if (engine === undefined) {
      if (engines.size === 1) engine = [...engines][0]!;
      else problems.push(`  - ${at('engine')}: required when more than one engine is configured`);
    } else if (!engines.has(engine)) {
      problems.push(`  - ${at('engine')}: unknown engine '${engine}' (known: ${[...engines].join(', ')})`);
    }
    if (!workUnitNames.has(topic.workUnit)) {
      problems.push(
        `  - ${at('workUnit')}: unknown work unit '${topic.workUnit}' (known: ${[...workUnitNames].sort().join(', ')})`,
      );
    }
    const key = `${engine}/${topic.topic}`;
    if (seen.has(key))
      problems.push(`  - ${at('topic')}: topic '${topic.topic}' is configured twice for '${engine}'`);
    seen.add(key);
    return { ...topic, engine: engine ?? '' };
  });
  if (problems.length > 0) throw new ConfigError(`${source} is invalid:\n${problems.join('\n')}`);
  return { engines: parsed.data.engines, topics };
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` with environment values, so that secrets and ports need not be
 * written in the file. An unset variable without a default is an error naming it.
 */
export function interpolateEnv(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  source = 'configuration',
): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(
        `${source}: environment variable ${name} is not set (write \${${name}:-default} for a default)`,
      );
    },
  );
}

/** Reads and validates a configuration file. */
export async function loadConfigFile(file: string, workUnitNames: ReadonlySet<string>): Promise<BptlConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  let raw: unknown;
  try {
    const expanded = interpolateEnv(text, process.env, file);
    raw = file.endsWith('.json') ? JSON.parse(expanded) : parseYaml(expanded);
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`${file} does not parse: ${(cause as Error).message}`, { cause });
  }
  return parseConfig(raw, workUnitNames, file);
}

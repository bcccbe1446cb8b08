/**
 * Loads the configuration file (YAML or JSON), validates it, and checks what zod alone cannot: engine names
 * are unique, each topic names a known engine and an existing work unit, and a topic appears once per engine.
 * Every problem is reported at once, each naming its field.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.ts';
import { formatIssues, formatPath } from './format-issues.ts';
import { parseConfigDocument } from './parse-config-document.ts';
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

/** Reads and validates a configuration file; `${NAME}` in its values comes from `env` (`substitute-env.ts`). */
export async function loadConfigFile(
  file: string,
  workUnitNames: ReadonlySet<string>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BptlConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseConfig(parseConfigDocument(text, file, env), workUnitNames, file);
}

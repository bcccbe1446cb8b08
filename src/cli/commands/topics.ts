/**
 * `bptl topics`: the topics of a running BPTL, over its API (BPTL_API_URL, BPTL_API_TOKEN), for admins who keep
 * configuration in git. `apply -f FILE` takes the topics of a YAML (or JSON) file — the shape of the `topics` of
 * bptl.config.yaml — and creates or updates each through the API, printing what changed.
 */
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { stringify as stringifyYaml } from 'yaml';
import { loadApiClientEnv } from '../../config/env.ts';
import { formatIssues } from '../../config/format-issues.ts';
import { parseConfigDocument } from '../../config/parse-config-document.ts';
import { ConfigError, ensureError } from '../../errors.ts';
import { type TopicRecord, topicInputSchema } from '../../store/schemas.ts';
import { ApiClient, ApiClientError } from '../api-client.ts';

export interface TopicsCommandOptions {
  action: string | undefined;
  args: string[];
  file?: string | undefined;
  engine?: string | undefined;
  json?: boolean | undefined;
  dryRun?: boolean | undefined;
  prune?: boolean | undefined;
  /** Where output goes. @default console.log */
  print?: (line: string) => void;
}

type StoredTopic = TopicRecord & { createdAt: string; updatedAt: string };

const topicPath = (engine: string, topic: string) =>
  `/topics/${encodeURIComponent(engine)}/${encodeURIComponent(topic)}`;

/** `ENGINE/TOPIC` → its parts (a topic name may itself hold slashes). */
function parseKey(text: string | undefined): { engine: string; topic: string } {
  const slash = text?.indexOf('/') ?? -1;
  if (!text || slash <= 0 || slash === text.length - 1) {
    throw new ConfigError(
      `name the topic as ENGINE/TOPIC, e.g. local/bptl-demo-echo${text ? ` (got '${text}')` : ''}`,
    );
  }
  return { engine: text.slice(0, slash), topic: text.slice(slash + 1) };
}

/** A stored topic without its bookkeeping: the shape of a topic in the file. */
function settingsOf(record: StoredTopic): Record<string, unknown> {
  const { version: _v, createdAt: _c, updatedAt: _u, ...settings } = record;
  return settings;
}

/** `field: old → new` for each top-level field that differs. */
function changes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((key) => !isDeepStrictEqual(before[key], after[key]))
    .map(
      (key) =>
        `${key}: ${JSON.stringify(before[key]) ?? '(none)'} → ${JSON.stringify(after[key]) ?? '(none)'}`,
    );
}

/**
 * The topics of a file: `{ topics: [...] }` (as in bptl.config.yaml; other keys are ignored) or a bare list, with
 * `${NAME}` in its values from `env` (`substitute-env.ts`). Exported for its tests.
 */
export async function readTopicsFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read ${file}: ${ensureError(cause).message}`, { cause });
  }
  const raw = parseConfigDocument(text, file, env);
  const topics = Array.isArray(raw) ? raw : (raw as { topics?: unknown } | null)?.topics;
  if (!Array.isArray(topics))
    throw new ConfigError(`${file}: expected a 'topics' list (as in bptl.config.yaml)`);
  return topics;
}

export async function runTopics(options: TopicsCommandOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const env = loadApiClientEnv();
  const api = new ApiClient({ baseUrl: env.BPTL_API_URL, token: env.BPTL_API_TOKEN });
  if (!env.BPTL_API_TOKEN)
    throw new ConfigError('BPTL_API_TOKEN is not set: give a token of the API (BPTL_API_TOKENS)');
  try {
    switch (options.action) {
      case 'list': {
        const query = options.engine ? `?engine=${encodeURIComponent(options.engine)}` : '';
        const body = await api.list<StoredTopic>(`/topics${query}`);
        if (options.json) {
          print(JSON.stringify(body, null, 2));
          return 0;
        }
        const rows = [
          ['ENGINE', 'TOPIC', 'WORK UNIT', 'ENABLED', 'VERSION'],
          ...body.map((t) => [t.engine, t.topic, t.workUnit, String(t.enabled), String(t.version)]),
        ];
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const row of rows)
          print(
            row
              .map((cell, i) => cell.padEnd(widths[i]!))
              .join('  ')
              .trimEnd(),
          );
        return 0;
      }
      case 'get': {
        const key = parseKey(options.args[0]);
        const { body } = await api.request<StoredTopic>('GET', topicPath(key.engine, key.topic));
        print(
          options.json
            ? JSON.stringify(body, null, 2)
            : stringifyYaml({ topics: [settingsOf(body)] }).trimEnd(),
        );
        return 0;
      }
      case 'delete': {
        const key = parseKey(options.args[0]);
        await api.request('DELETE', topicPath(key.engine, key.topic));
        print(`deleted    ${key.engine}/${key.topic}`);
        return 0;
      }
      case 'apply':
        if (!options.file) throw new ConfigError('apply needs -f FILE (a YAML file with a topics list)');
        return await apply(api, options.file, options, print);
      default:
        throw new ConfigError(
          `unknown action ${options.action ? `'${options.action}'` : '(none)'}: use list, get, apply or delete`,
        );
    }
  } catch (error) {
    if (error instanceof ApiClientError) {
      print(`bptl topics: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

async function apply(
  api: ApiClient,
  file: string,
  options: TopicsCommandOptions,
  print: (line: string) => void,
): Promise<number> {
  const raw = await readTopicsFile(file);
  // A topic without an engine belongs to the only engine, as in bptl.config.yaml.
  let engines: string[] | undefined;
  const desired: Array<Record<string, unknown> & { engine: string; topic: string }> = [];
  const problems: string[] = [];
  for (const [i, entry] of raw.entries()) {
    let topic = entry;
    if (topic && typeof topic === 'object' && !Array.isArray(topic) && !('engine' in topic)) {
      engines ??= (await api.list<{ name: string }>('/engines')).map((e) => e.name);
      if (engines.length !== 1) {
        problems.push(`  - topics[${i}].engine: required (the API has ${engines.length} engines)`);
        continue;
      }
      topic = { ...topic, engine: engines[0] };
    }
    const parsed = topicInputSchema.safeParse(topic);
    if (!parsed.success) {
      problems.push(
        formatIssues(parsed.error.issues.map((issue) => ({ ...issue, path: ['topics', i, ...issue.path] }))),
      );
      continue;
    }
    desired.push(parsed.data);
  }
  if (problems.length > 0) throw new ConfigError(`${file} is invalid:\n${problems.join('\n')}`);
  const seen = new Set<string>();
  for (const t of desired) {
    const key = `${t.engine}/${t.topic}`;
    if (seen.has(key)) throw new ConfigError(`${file}: topic '${key}' is listed twice`);
    seen.add(key);
  }

  const counts = { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
  const dry = options.dryRun ? ' (dry run)' : '';
  for (const topic of desired) {
    const name = `${topic.engine}/${topic.topic}`;
    try {
      let current: { body: StoredTopic; etag: string | undefined } | undefined;
      try {
        current = await api.request<StoredTopic>('GET', topicPath(topic.engine, topic.topic));
      } catch (error) {
        if (!(error instanceof ApiClientError && error.status === 404)) throw error;
      }
      if (!current) {
        if (!options.dryRun) await api.request('POST', '/topics', { body: topic });
        print(`created    ${name}${dry}`);
        counts.created++;
        continue;
      }
      const diff = changes(settingsOf(current.body), topic);
      if (diff.length === 0) {
        print(`unchanged  ${name}`);
        counts.unchanged++;
        continue;
      }
      if (!options.dryRun) {
        const { engine: _e, topic: _t, ...update } = topic;
        await api.request('PUT', topicPath(topic.engine, topic.topic), {
          body: update,
          ...(current.etag ? { headers: { 'if-match': current.etag } } : {}),
        });
      }
      print(`updated    ${name}${dry}`);
      for (const line of diff) print(`             ${line}`);
      counts.updated++;
    } catch (error) {
      if (!(error instanceof ApiClientError)) throw error;
      if (error.status === 0 || error.status === 401 || error.status === 403) throw error;
      print(`failed     ${name}: ${error.message}`);
      counts.failed++;
    }
  }
  if (options.prune) {
    const fileEngines = [...new Set(desired.map((t) => t.engine))];
    for (const engine of fileEngines) {
      const storedTopics = await api.list<StoredTopic>(`/topics?engine=${encodeURIComponent(engine)}`);
      for (const stored of storedTopics) {
        const name = `${stored.engine}/${stored.topic}`;
        if (seen.has(name)) continue;
        try {
          if (!options.dryRun) {
            await api.request('DELETE', topicPath(stored.engine, stored.topic), {
              headers: { 'if-match': `"${stored.version}"` },
            });
          }
          print(`deleted    ${name}${dry}`);
          counts.deleted++;
        } catch (error) {
          if (!(error instanceof ApiClientError)) throw error;
          print(`failed     ${name}: ${error.message}`);
          counts.failed++;
        }
      }
    }
  }
  print(
    `${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged${options.prune ? `, ${counts.deleted} deleted` : ''}${counts.failed ? `, ${counts.failed} failed` : ''}${dry}`,
  );
  return counts.failed > 0 ? 1 : 0;
}

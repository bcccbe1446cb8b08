/**
 * Topics in the configuration store: per engine and Camunda topic, the work unit and its settings. A stored topic
 * is exactly the TopicConfig the poller already takes from the configuration file (parsed by the same schema, by
 * the caller: the store takes a parsed TopicInput, defaults filled in), plus version and timestamps. The key (engine, topic), work unit and `enabled` are columns;
 * the other settings are one JSONB document, read back through the schema so that settings added later get their
 * defaults.
 */
import { formatIssues } from '../config/format-issues.ts';
import { recordAudit } from './audit-repository.ts';
import type { Queryable, Transaction } from './database.ts';
import { InvalidReferenceError, SQLSTATE, sqlState } from './errors.ts';
import { type Page, type PageRequest, pageOf } from './page.ts';
import {
  type TopicInput,
  type TopicKey,
  type TopicRecord,
  type TopicUpdate,
  topicSettingsSchema,
  type VersionedWriteOptions,
  type WriteOptions,
} from './schemas.ts';
import { insertRow, lockRow, parseWriteOptions, writeTransaction } from './write-transaction.ts';

export interface TopicFilter {
  engine?: string | undefined;
  enabled?: boolean | undefined;
}

export interface TopicRepository {
  /** Topics by engine and topic name, optionally of one engine or only the (dis)abled ones. */
  list(filter?: TopicFilter): Promise<TopicRecord[]>;
  /** One page of the topics, by engine and topic name (those after the key `after`), filtered as `list`. */
  page(filter: TopicFilter & PageRequest<TopicKey>): Promise<Page<TopicRecord>>;
  /** One topic; undefined when the engine has no such topic. */
  get(key: TopicKey): Promise<TopicRecord | undefined>;
  /**
   * Creates a topic from a parsed `TopicInput` (the API's body, parsed by createApp; a configuration file's topic,
   * parsed by its schema). Throws ValidationError (options), InvalidReferenceError (no such engine, or a bound
   * service that does not exist), DuplicateError. The work unit's name is not checked here: the store does not know the registry (the API
   * checks it).
   */
  create(input: TopicInput, options: WriteOptions): Promise<TopicRecord>;
  /**
   * Replaces a topic's settings with a parsed `TopicUpdate` (all but engine and topic). Throws ValidationError
   * (options), NotFoundError, StaleWriteError, InvalidReferenceError (a bound service that does not exist).
   */
  update(key: TopicKey, input: TopicUpdate, options: VersionedWriteOptions): Promise<TopicRecord>;
  /** Deletes a topic. Throws NotFoundError, StaleWriteError. */
  delete(key: TopicKey, options: VersionedWriteOptions): Promise<void>;
}

interface TopicRow {
  engine: string;
  topic: string;
  work_unit: string;
  enabled: boolean;
  settings: unknown;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT_ONE = 'SELECT * FROM topics WHERE engine = $1 AND topic = $2';

function nameOf(key: TopicKey): string {
  return `${key.engine}/${key.topic}`;
}

function toRecord(row: TopicRow): TopicRecord {
  const settings = topicSettingsSchema.safeParse(row.settings);
  if (!settings.success) {
    throw new Error(
      `topic '${row.engine}/${row.topic}' has stored settings that are no longer valid:\n${formatIssues(settings.error.issues)}`,
    );
  }
  return {
    topic: row.topic,
    engine: row.engine,
    workUnit: row.work_unit,
    enabled: row.enabled,
    ...settings.data,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Holds each service the topic binds `FOR SHARE` until commit, so that a concurrent delete of one waits for this
 * write and then finds the topic (InUseError), or has deleted it first and this write finds it missing:
 * InvalidReferenceError naming the alias's field (`services.<alias>`), as the API's own check does.
 */
async function lockBoundServices(tx: Transaction, services: Record<string, string>): Promise<void> {
  const names = [...new Set(Object.values(services))].sort();
  if (names.length === 0) return;
  const rows = await tx.query<{ name: string }>(
    `SELECT name FROM services WHERE name IN (SELECT jsonb_array_elements_text($1::jsonb))
     ORDER BY name FOR SHARE`,
    [JSON.stringify(names)],
  );
  const found = new Set(rows.map((row) => row.name));
  for (const [alias, service] of Object.entries(services)) {
    if (!found.has(service)) throw new InvalidReferenceError(`services.${alias}`, 'service', service);
  }
}

/** Splits a parsed topic into its columns and the settings document. */
function columns(data: { workUnit: string; enabled: boolean } & Record<string, unknown>) {
  const { engine: _engine, topic: _topic, workUnit, enabled, ...settings } = data;
  return { workUnit, enabled, settings: JSON.stringify(settings) };
}

/** The SELECT of a list or a page: filtered, by engine and topic, after a key, limited. */
function selectTopics(filter: TopicFilter & Partial<PageRequest<TopicKey>>): {
  sql: string;
  params: unknown[];
} {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.engine !== undefined) {
    params.push(filter.engine);
    where.push(`engine = $${params.length}`);
  }
  if (filter.enabled !== undefined) {
    params.push(filter.enabled);
    where.push(`enabled = $${params.length}`);
  }
  if (filter.after !== undefined) {
    params.push(filter.after.engine, filter.after.topic);
    where.push(`(engine, topic) > ($${params.length - 1}, $${params.length})`);
  }
  let limit = '';
  if (filter.limit !== undefined) {
    params.push(filter.limit);
    limit = `LIMIT $${params.length}`;
  }
  return {
    sql: `SELECT * FROM topics ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY engine, topic ${limit}`,
    params,
  };
}

export function createTopicRepository(db: Queryable): TopicRepository {
  return {
    async list(filter = {}) {
      const { engine, enabled } = filter;
      const { sql, params } = selectTopics({ engine, enabled });
      return (await db.query<TopicRow>(sql, params)).map(toRecord);
    },

    async page({ limit, ...filter }) {
      const { sql, params } = selectTopics({ ...filter, limit: limit + 1 });
      return pageOf((await db.query<TopicRow>(sql, params)).map(toRecord), limit);
    },

    async get(key) {
      const [row] = await db.query<TopicRow>(SELECT_ONE, [key.engine, key.topic]);
      return row && toRecord(row);
    },

    async create(data, options) {
      const { actor } = parseWriteOptions(options);
      const key = { engine: data.engine, topic: data.topic };
      const { workUnit, enabled, settings } = columns(data);
      return writeTransaction(db, async (tx, revision) => {
        // Holds the engine until commit (it cannot be deleted under us) and names the problem when it is missing.
        const [engine] = await tx.query('SELECT 1 FROM engines WHERE name = $1 FOR SHARE', [data.engine]);
        if (!engine) throw new InvalidReferenceError('engine', 'engine', data.engine);
        await lockBoundServices(tx, data.services);
        let row: TopicRow;
        try {
          row = await insertRow<TopicRow>(
            tx,
            {
              sql: `INSERT INTO topics (engine, topic, work_unit, enabled, settings)
                    VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING *`,
              params: [data.engine, data.topic, workUnit, enabled, settings],
            },
            'topic',
            nameOf(key),
          );
        } catch (error) {
          if (sqlState(error) === SQLSTATE.foreignKeyViolation) {
            throw new InvalidReferenceError('engine', 'engine', data.engine, { cause: error });
          }
          throw error;
        }
        const record = toRecord(row);
        await recordAudit(tx, {
          revision,
          actor,
          action: 'create',
          resourceType: 'topic',
          resourceName: nameOf(key),
          before: null,
          after: record,
        });
        return record;
      });
    },

    async update(key, data, options) {
      const { actor, expectedVersion } = parseWriteOptions(options);
      const { workUnit, enabled, settings } = columns(data);
      return writeTransaction(db, async (tx, revision) => {
        const current = await lockRow<TopicRow>(
          tx,
          { sql: SELECT_ONE, params: [key.engine, key.topic] },
          'topic',
          nameOf(key),
          expectedVersion,
        );
        await lockBoundServices(tx, data.services);
        const [row] = await tx.query<TopicRow>(
          `UPDATE topics SET work_unit = $3, enabled = $4, settings = $5::jsonb,
                             version = version + 1, updated_at = now()
           WHERE engine = $1 AND topic = $2 RETURNING *`,
          [key.engine, key.topic, workUnit, enabled, settings],
        );
        const record = toRecord(row!);
        await recordAudit(tx, {
          revision,
          actor,
          action: 'update',
          resourceType: 'topic',
          resourceName: nameOf(key),
          before: toRecord(current),
          after: record,
        });
        return record;
      });
    },

    async delete(key, options) {
      const { actor, expectedVersion } = parseWriteOptions(options);
      await writeTransaction(db, async (tx, revision) => {
        const current = await lockRow<TopicRow>(
          tx,
          { sql: SELECT_ONE, params: [key.engine, key.topic] },
          'topic',
          nameOf(key),
          expectedVersion,
        );
        await tx.query('DELETE FROM topics WHERE engine = $1 AND topic = $2', [key.engine, key.topic]);
        await recordAudit(tx, {
          revision,
          actor,
          action: 'delete',
          resourceType: 'topic',
          resourceName: nameOf(key),
          before: toRecord(current),
          after: null,
        });
      });
    },
  };
}

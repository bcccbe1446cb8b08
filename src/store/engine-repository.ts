/**
 * Engines in the configuration store: the Camunda engines that pollers fetch from. Reads for the API redact the
 * auth secret; `resolve`/`listResolved` decrypt it, for the poller only. Every write bumps the configuration
 * revision and records a redacted audit entry in its transaction.
 */
import { type AuditEntry, recordAudit } from './audit-repository.ts';
import { openAuth, redactAuth, type StoredAuth, sealAuth } from './auth-secrets.ts';
import type { Queryable } from './database.ts';
import { InUseError, SQLSTATE, sqlState } from './errors.ts';
import {
  type EngineAuth,
  type EngineRecord,
  engineInputSchema,
  engineUpdateSchema,
  type RedactedEngineAuth,
  type ResolvedEngine,
  type VersionedWriteOptions,
  type WriteOptions,
} from './schemas.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { insertRow, lockRow, parseInput, parseWriteOptions, writeTransaction } from './write-transaction.ts';

export interface EngineRepository {
  /** All engines, by name; secrets redacted. */
  list(): Promise<EngineRecord[]>;
  /** One engine, secrets redacted; undefined when there is none of that name. */
  get(name: string): Promise<EngineRecord | undefined>;
  /** Creates an engine from an `EngineInput` (validated here). Throws ValidationError, DuplicateError. */
  create(input: unknown, options: WriteOptions): Promise<EngineRecord>;
  /**
   * Replaces an engine's settings with an `EngineUpdate` (all but the name). An auth secret of `{ set: true }`
   * keeps the stored one. Throws ValidationError, NotFoundError, StaleWriteError.
   */
  update(name: string, input: unknown, options: VersionedWriteOptions): Promise<EngineRecord>;
  /** Deletes an engine. Throws NotFoundError, StaleWriteError, InUseError (topics still use it). */
  delete(name: string, options: VersionedWriteOptions): Promise<void>;
  /** The engine with its secret decrypted, for the poller. Throws SecretKeyError when the key does not fit. */
  resolve(name: string): Promise<ResolvedEngine | undefined>;
  /** All engines with their secrets decrypted, for the poller. */
  listResolved(): Promise<ResolvedEngine[]>;
}

interface EngineRow {
  name: string;
  url: string;
  auth: StoredAuth;
  worker_id_prefix: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT_ONE = 'SELECT * FROM engines WHERE name = $1';

function toRecord(row: EngineRow, markChanged = false): EngineRecord {
  return {
    name: row.name,
    url: row.url,
    auth: redactAuth<RedactedEngineAuth>(row.auth, markChanged),
    ...(row.worker_id_prefix === null ? {} : { workerIdPrefix: row.worker_id_prefix }),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function audit(
  revision: number,
  actor: string,
  action: AuditEntry['action'],
  name: string,
  before: EngineRecord | null,
  after: EngineRecord | null,
): Omit<AuditEntry, 'id' | 'at'> {
  return { revision, actor, action, resourceType: 'engine', resourceName: name, before, after };
}

export function createEngineRepository(db: Queryable, cipher: SecretCipher): EngineRepository {
  const resolveRow = (row: EngineRow): ResolvedEngine => ({
    name: row.name,
    url: row.url,
    auth: openAuth<EngineAuth>(row.auth, cipher, `engine '${row.name}'`),
    ...(row.worker_id_prefix === null ? {} : { workerIdPrefix: row.worker_id_prefix }),
  });

  return {
    async list() {
      return (await db.query<EngineRow>('SELECT * FROM engines ORDER BY name')).map((row) => toRecord(row));
    },

    async get(name) {
      const [row] = await db.query<EngineRow>(SELECT_ONE, [name]);
      return row && toRecord(row);
    },

    async create(input, options) {
      const data = parseInput(engineInputSchema, input);
      const { actor } = parseWriteOptions(options);
      const { stored, secretChanged } = sealAuth(data.auth, undefined, cipher);
      return writeTransaction(db, async (tx, revision) => {
        const row = await insertRow<EngineRow>(
          tx,
          {
            sql: `INSERT INTO engines (name, url, auth, worker_id_prefix)
                  VALUES ($1, $2, $3::jsonb, $4) RETURNING *`,
            params: [data.name, data.url, JSON.stringify(stored), data.workerIdPrefix ?? null],
          },
          'engine',
          data.name,
        );
        await recordAudit(
          tx,
          audit(revision, actor, 'create', data.name, null, toRecord(row, secretChanged)),
        );
        return toRecord(row);
      });
    },

    async update(name, input, options) {
      const data = parseInput(engineUpdateSchema, input);
      const { actor, expectedVersion } = parseWriteOptions(options);
      return writeTransaction(db, async (tx, revision) => {
        const current = await lockRow<EngineRow>(
          tx,
          { sql: SELECT_ONE, params: [name] },
          'engine',
          name,
          expectedVersion,
        );
        const { stored, secretChanged } = sealAuth(data.auth, current.auth, cipher);
        const [row] = await tx.query<EngineRow>(
          `UPDATE engines SET url = $2, auth = $3::jsonb, worker_id_prefix = $4,
                              version = version + 1, updated_at = now()
           WHERE name = $1 RETURNING *`,
          [name, data.url, JSON.stringify(stored), data.workerIdPrefix ?? null],
        );
        await recordAudit(
          tx,
          audit(revision, actor, 'update', name, toRecord(current), toRecord(row!, secretChanged)),
        );
        return toRecord(row!);
      });
    },

    async delete(name, options) {
      const { actor, expectedVersion } = parseWriteOptions(options);
      await writeTransaction(db, async (tx, revision) => {
        const current = await lockRow<EngineRow>(
          tx,
          { sql: SELECT_ONE, params: [name] },
          'engine',
          name,
          expectedVersion,
        );
        const users = await tx.query<{ topic: string }>(
          'SELECT topic FROM topics WHERE engine = $1 ORDER BY topic LIMIT 10',
          [name],
        );
        if (users.length > 0) {
          throw new InUseError(
            'engine',
            name,
            users.map((u) => `topic '${u.topic}'`),
          );
        }
        try {
          await tx.query('DELETE FROM engines WHERE name = $1', [name]);
        } catch (error) {
          // A topic created in the meantime (its foreign key).
          if (sqlState(error) === SQLSTATE.foreignKeyViolation)
            throw new InUseError('engine', name, ['topics']);
          throw error;
        }
        await recordAudit(tx, audit(revision, actor, 'delete', name, toRecord(current), null));
      });
    },

    async resolve(name) {
      const [row] = await db.query<EngineRow>(SELECT_ONE, [name]);
      return row && resolveRow(row);
    },

    async listResolved() {
      return (await db.query<EngineRow>('SELECT * FROM engines ORDER BY name')).map(resolveRow);
    },
  };
}

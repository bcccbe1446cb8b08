/**
 * Engines in the configuration store: the Camunda engines that pollers fetch from. Reads for the API redact the
 * auth secret; `resolve`/`listResolved` decrypt it, for the poller only. Every write bumps the configuration
 * revision and records a redacted audit entry in its transaction (resource-repository.ts).
 */
import { openAuth, redactAuth, type StoredAuth } from './auth-secrets.ts';
import type { Queryable } from './database.ts';
import { InUseError, SQLSTATE, sqlState } from './errors.ts';
import { createResourceRepository, type ResourceRepository } from './resource-repository.ts';
import {
  type EngineAuth,
  type EngineInput,
  type EngineRecord,
  type EngineUpdate,
  engineInputSchema,
  engineUpdateSchema,
  type RedactedEngineAuth,
  type ResolvedEngine,
} from './schemas.ts';
import type { SecretCipher } from './secret-cipher.ts';

/** Engines: list/get/create/update/delete as every resource (a delete is an InUseError while topics use it). */
export interface EngineRepository extends ResourceRepository<EngineRecord, EngineInput, EngineUpdate> {
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

export function createEngineRepository(db: Queryable, cipher: SecretCipher): EngineRepository {
  const resolveRow = (row: EngineRow): ResolvedEngine => ({
    name: row.name,
    url: row.url,
    auth: openAuth<EngineAuth>(row.auth, cipher, { kind: 'engine', name: row.name }),
    ...(row.worker_id_prefix === null ? {} : { workerIdPrefix: row.worker_id_prefix }),
  });

  const resource = createResourceRepository(db, cipher, {
    table: 'engines',
    resourceType: 'engine',
    secretKind: 'engine',
    inputSchema: engineInputSchema,
    updateSchema: engineUpdateSchema,
    toRecord,
    insert: (data, auth) => ({
      sql: `INSERT INTO engines (name, url, auth, worker_id_prefix) VALUES ($1, $2, $3::jsonb, $4) RETURNING *`,
      params: [data.name, data.url, auth, data.workerIdPrefix ?? null],
    }),
    update: (name, data, auth) => ({
      sql: `UPDATE engines SET url = $2, auth = $3::jsonb, worker_id_prefix = $4,
                               version = version + 1, updated_at = now()
            WHERE name = $1 RETURNING *`,
      params: [name, data.url, auth, data.workerIdPrefix ?? null],
    }),
    urlOf: (row) => row.url,
    updateUrlOf: (data) => data.url,
    async deleteRow(tx, name) {
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
    },
  });

  return {
    ...resource,

    async resolve(name) {
      const [row] = await db.query<EngineRow>(SELECT_ONE, [name]);
      return row && resolveRow(row);
    },

    async listResolved() {
      return (await db.query<EngineRow>('SELECT * FROM engines ORDER BY name')).map(resolveRow);
    },
  };
}

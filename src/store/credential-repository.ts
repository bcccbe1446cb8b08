/**
 * Per-application credentials of a service: a task whose `bptlAppId` variable names an application calls the
 * service with that application's credentials; a task that names none, with the service's default ones; a task
 * that names an application without credentials here fails (service-clients.ts, ServiceRepository.credentialsFor). Rows are keyed by (service, applicationId); audit entries name them
 * `<service>/<applicationId>`. Secrets are redacted on read, as everywhere.
 */
import { recordAudit } from './audit-repository.ts';
import { redactAuth, type StoredAuth, sealAuth } from './auth-secrets.ts';
import type { Queryable } from './database.ts';
import { NotFoundError } from './errors.ts';
import { type Page, type PageRequest, pageOf } from './page.ts';
import {
  type CredentialRecord,
  credentialInputSchema,
  credentialUpdateSchema,
  type RedactedServiceAuth,
  type VersionedWriteOptions,
  type WriteOptions,
} from './schemas.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { insertRow, lockRow, parseInput, parseWriteOptions, writeTransaction } from './write-transaction.ts';

export interface CredentialRepository {
  /** The applications' credentials of a service, by application id. Throws NotFoundError when the service is missing. */
  list(service: string): Promise<CredentialRecord[]>;
  /** One page of them, by application id (those after `after`). Throws NotFoundError when the service is missing. */
  page(service: string, request: PageRequest): Promise<Page<CredentialRecord>>;
  /** One application's credentials; undefined when there are none (or no such service). */
  get(service: string, applicationId: string): Promise<CredentialRecord | undefined>;
  /**
   * Adds credentials from a `CredentialInput` ({ applicationId, auth }). Throws ValidationError, NotFoundError (no
   * such service), DuplicateError (that application already has credentials for it).
   */
  create(service: string, input: unknown, options: WriteOptions): Promise<CredentialRecord>;
  /** Replaces the auth ({ auth }); `{ set: true }` keeps the secret. Throws ValidationError, NotFoundError, StaleWriteError. */
  update(
    service: string,
    applicationId: string,
    input: unknown,
    options: VersionedWriteOptions,
  ): Promise<CredentialRecord>;
  /** Removes an application's credentials (its tasks fail until they are back). Throws NotFoundError, StaleWriteError. */
  delete(service: string, applicationId: string, options: VersionedWriteOptions): Promise<void>;
}

/** A row of service_credentials. */
export interface CredentialRow {
  service: string;
  application_id: string;
  auth: StoredAuth;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function credentialToRecord(row: CredentialRow, markChanged = false): CredentialRecord {
  return {
    service: row.service,
    applicationId: row.application_id,
    auth: redactAuth<RedactedServiceAuth>(row.auth, markChanged),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const SELECT_ONE = 'SELECT * FROM service_credentials WHERE service = $1 AND application_id = $2';

export function createCredentialRepository(db: Queryable, cipher: SecretCipher): CredentialRepository {
  const audit = (
    revision: number,
    actor: string,
    action: 'create' | 'update' | 'delete',
    service: string,
    applicationId: string,
    before: CredentialRecord | null,
    after: CredentialRecord | null,
  ) => ({
    revision,
    actor,
    action,
    resourceType: 'service-credential' as const,
    resourceName: `${service}/${applicationId}`,
    before,
    after,
  });

  return {
    async list(service) {
      const [exists] = await db.query('SELECT 1 FROM services WHERE name = $1', [service]);
      if (!exists) throw new NotFoundError('service', service);
      const rows = await db.query<CredentialRow>(
        'SELECT * FROM service_credentials WHERE service = $1 ORDER BY application_id',
        [service],
      );
      return rows.map((row) => credentialToRecord(row));
    },

    async page(service, { after, limit }) {
      const [exists] = await db.query('SELECT 1 FROM services WHERE name = $1', [service]);
      if (!exists) throw new NotFoundError('service', service);
      const rows = await db.query<CredentialRow>(
        `SELECT * FROM service_credentials WHERE service = $1 AND ($2::text IS NULL OR application_id > $2)
         ORDER BY application_id LIMIT $3`,
        [service, after ?? null, limit + 1],
      );
      return pageOf(
        rows.map((row) => credentialToRecord(row)),
        limit,
      );
    },

    async get(service, applicationId) {
      const [row] = await db.query<CredentialRow>(SELECT_ONE, [service, applicationId]);
      return row && credentialToRecord(row);
    },

    async create(service, input, options) {
      const data = parseInput(credentialInputSchema, input);
      const { actor } = parseWriteOptions(options);
      const { stored, secretChanged } = sealAuth(data.auth, undefined, cipher, {
        kind: 'credential',
        service,
        applicationId: data.applicationId,
      });
      return writeTransaction(db, async (tx, revision) => {
        // Lock the service so that it cannot be deleted under us (and say 404 rather than a foreign-key error).
        const [parent] = await tx.query('SELECT 1 FROM services WHERE name = $1 FOR SHARE', [service]);
        if (!parent) throw new NotFoundError('service', service);
        const row = await insertRow<CredentialRow>(
          tx,
          {
            sql: `INSERT INTO service_credentials (service, application_id, auth) VALUES ($1, $2, $3::jsonb) RETURNING *`,
            params: [service, data.applicationId, JSON.stringify(stored)],
          },
          'service-credential',
          `${service}/${data.applicationId}`,
        );
        await recordAudit(
          tx,
          audit(
            revision,
            actor,
            'create',
            service,
            data.applicationId,
            null,
            credentialToRecord(row, secretChanged),
          ),
        );
        return credentialToRecord(row);
      });
    },

    async update(service, applicationId, input, options) {
      const data = parseInput(credentialUpdateSchema, input);
      const { actor, expectedVersion } = parseWriteOptions(options);
      return writeTransaction(db, async (tx, revision) => {
        const current = await lockRow<CredentialRow>(
          tx,
          { sql: SELECT_ONE, params: [service, applicationId] },
          'service-credential',
          `${service}/${applicationId}`,
          expectedVersion,
        );
        const { stored, secretChanged } = sealAuth(data.auth, current.auth, cipher, {
          kind: 'credential',
          service,
          applicationId,
        });
        const [row] = await tx.query<CredentialRow>(
          `UPDATE service_credentials SET auth = $3::jsonb, version = version + 1, updated_at = now()
           WHERE service = $1 AND application_id = $2 RETURNING *`,
          [service, applicationId, JSON.stringify(stored)],
        );
        await recordAudit(
          tx,
          audit(
            revision,
            actor,
            'update',
            service,
            applicationId,
            credentialToRecord(current),
            credentialToRecord(row!, secretChanged),
          ),
        );
        return credentialToRecord(row!);
      });
    },

    async delete(service, applicationId, options) {
      const { actor, expectedVersion } = parseWriteOptions(options);
      await writeTransaction(db, async (tx, revision) => {
        const current = await lockRow<CredentialRow>(
          tx,
          { sql: SELECT_ONE, params: [service, applicationId] },
          'service-credential',
          `${service}/${applicationId}`,
          expectedVersion,
        );
        await tx.query('DELETE FROM service_credentials WHERE service = $1 AND application_id = $2', [
          service,
          applicationId,
        ]);
        await recordAudit(
          tx,
          audit(revision, actor, 'delete', service, applicationId, credentialToRecord(current), null),
        );
      });
    },
  };
}

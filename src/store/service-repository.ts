/**
 * Services in the configuration store: the systems work units call (ZGW APIs, HTTP services) and their default
 * credentials. Reads for the API redact the secret; `credentialsFor` decrypts the credentials a task should use
 * (its application's, else the service's default), for the worker only.
 */
import { type AuditEntry, recordAudit } from './audit-repository.ts';
import { openAuth, redactAuth, type StoredAuth, sealAuth } from './auth-secrets.ts';
import { type CredentialRow, credentialToRecord } from './credential-repository.ts';
import type { Queryable } from './database.ts';
import {
  type RedactedServiceAuth,
  type ServiceAuth,
  type ServiceCredentials,
  type ServiceRecord,
  serviceInputSchema,
  serviceUpdateSchema,
  type VersionedWriteOptions,
  type WriteOptions,
} from './schemas.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { insertRow, lockRow, parseInput, parseWriteOptions, writeTransaction } from './write-transaction.ts';

export interface ServiceRepository {
  /** All services, by name; secrets redacted. */
  list(): Promise<ServiceRecord[]>;
  /** One service, secrets redacted; undefined when there is none of that name. */
  get(name: string): Promise<ServiceRecord | undefined>;
  /** Creates a service from a `ServiceInput` (validated here). Throws ValidationError, DuplicateError. */
  create(input: unknown, options: WriteOptions): Promise<ServiceRecord>;
  /**
   * Replaces a service's settings with a `ServiceUpdate` (all but the name); a secret of `{ set: true }` keeps the
   * stored one. Throws ValidationError, NotFoundError, StaleWriteError.
   */
  update(name: string, input: unknown, options: VersionedWriteOptions): Promise<ServiceRecord>;
  /** Deletes a service and its applications' credentials (each audited). Throws NotFoundError, StaleWriteError. */
  delete(name: string, options: VersionedWriteOptions): Promise<void>;
  /**
   * The credentials a task uses to call `service`, decrypted, for the worker only: those of `applicationId` (the
   * task's `bptlAppId` variable) when the service has them, else the service's default. Undefined when there is
   * no such service. Throws SecretKeyError when BPTL_SECRET_KEY cannot decrypt them.
   */
  credentialsFor(service: string, applicationId?: string): Promise<ServiceCredentials | undefined>;
}

interface ServiceRow {
  name: string;
  base_url: string;
  kind: string;
  auth: StoredAuth;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT_ONE = 'SELECT * FROM services WHERE name = $1';

function toRecord(row: ServiceRow, markChanged = false): ServiceRecord {
  return {
    name: row.name,
    baseUrl: row.base_url,
    kind: row.kind,
    auth: redactAuth<RedactedServiceAuth>(row.auth, markChanged),
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
  before: ServiceRecord | null,
  after: ServiceRecord | null,
): Omit<AuditEntry, 'id' | 'at'> {
  return { revision, actor, action, resourceType: 'service', resourceName: name, before, after };
}

export function createServiceRepository(db: Queryable, cipher: SecretCipher): ServiceRepository {
  return {
    async list() {
      return (await db.query<ServiceRow>('SELECT * FROM services ORDER BY name')).map((row) => toRecord(row));
    },

    async get(name) {
      const [row] = await db.query<ServiceRow>(SELECT_ONE, [name]);
      return row && toRecord(row);
    },

    async create(input, options) {
      const data = parseInput(serviceInputSchema, input);
      const { actor } = parseWriteOptions(options);
      const { stored, secretChanged } = sealAuth(data.auth, undefined, cipher);
      return writeTransaction(db, async (tx, revision) => {
        const row = await insertRow<ServiceRow>(
          tx,
          {
            sql: `INSERT INTO services (name, base_url, kind, auth) VALUES ($1, $2, $3, $4::jsonb) RETURNING *`,
            params: [data.name, data.baseUrl, data.kind, JSON.stringify(stored)],
          },
          'service',
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
      const data = parseInput(serviceUpdateSchema, input);
      const { actor, expectedVersion } = parseWriteOptions(options);
      return writeTransaction(db, async (tx, revision) => {
        const current = await lockRow<ServiceRow>(
          tx,
          { sql: SELECT_ONE, params: [name] },
          'service',
          name,
          expectedVersion,
        );
        const { stored, secretChanged } = sealAuth(data.auth, current.auth, cipher);
        const [row] = await tx.query<ServiceRow>(
          `UPDATE services SET base_url = $2, kind = $3, auth = $4::jsonb, version = version + 1, updated_at = now()
           WHERE name = $1 RETURNING *`,
          [name, data.baseUrl, data.kind, JSON.stringify(stored)],
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
        const current = await lockRow<ServiceRow>(
          tx,
          { sql: SELECT_ONE, params: [name] },
          'service',
          name,
          expectedVersion,
        );
        // The credentials go with the service (ON DELETE CASCADE); each gets its own audit entry.
        const credentials = await tx.query<CredentialRow>(
          'DELETE FROM service_credentials WHERE service = $1 RETURNING *',
          [name],
        );
        await tx.query('DELETE FROM services WHERE name = $1', [name]);
        for (const credential of credentials) {
          await recordAudit(tx, {
            revision,
            actor,
            action: 'delete',
            resourceType: 'service-credential',
            resourceName: `${name}/${credential.application_id}`,
            before: credentialToRecord(credential),
            after: null,
          });
        }
        await recordAudit(tx, audit(revision, actor, 'delete', name, toRecord(current), null));
      });
    },

    async credentialsFor(service, applicationId) {
      const [row] = await db.query<
        Pick<ServiceRow, 'name' | 'base_url' | 'kind' | 'auth'> & {
          application_id: string | null;
          application_auth: StoredAuth | null;
        }
      >(
        `SELECT s.name, s.base_url, s.kind, s.auth, c.application_id, c.auth AS application_auth
         FROM services s
         LEFT JOIN service_credentials c ON c.service = s.name AND c.application_id = $2
         WHERE s.name = $1`,
        [service, applicationId ?? null],
      );
      if (!row) return undefined;
      const own = row.application_id !== null && row.application_auth !== null;
      return {
        service: { name: row.name, baseUrl: row.base_url, kind: row.kind },
        applicationId: own ? (row.application_id ?? undefined) : undefined,
        auth: own
          ? openAuth<ServiceAuth>(
              row.application_auth!,
              cipher,
              `service '${row.name}' credentials of application '${row.application_id}'`,
            )
          : openAuth<ServiceAuth>(row.auth, cipher, `service '${row.name}'`),
      };
    },
  };
}

/**
 * Services in the configuration store: the systems work units call (ZGW APIs, HTTP services) and their default
 * credentials. Reads for the API redact the secret; `credentialsFor` decrypts the credentials a task should use
 * (its application's, or the service's default), for the worker only. The writes are every resource's
 * (resource-repository.ts).
 */
import { recordAudit } from './audit-repository.ts';
import { holdsSecret, openAuth, redactAuth, type StoredAuth } from './auth-secrets.ts';
import { type CredentialRow, credentialToRecord } from './credential-repository.ts';
import type { Queryable } from './database.ts';
import { InUseError } from './errors.ts';
import { createResourceRepository, type ResourceRepository } from './resource-repository.ts';
import {
  type RedactedServiceAuth,
  type ServiceAuth,
  type ServiceCredentials,
  type ServiceInput,
  type ServiceRecord,
  type ServiceUpdate,
  serviceInputSchema,
  serviceUpdateSchema,
} from './schemas.ts';
import type { SecretCipher } from './secret-cipher.ts';

/**
 * Services: list/get/create/update/delete as every resource (a delete takes its credentials along, each audited;
 * it is an InUseError while topics bind the service).
 */
export interface ServiceRepository extends ResourceRepository<ServiceRecord, ServiceInput, ServiceUpdate> {
  /**
   * The credentials a task uses to call `service`, decrypted, for the worker only: those of `applicationId` (the
   * task's `bptlAppId` variable) when the service has them, else the service's default with `applicationId`
   * undefined — which the worker refuses for a task that names an application (service-clients.ts). Undefined
   * when there is no such service. Throws SecretKeyError when BPTL_SECRET_KEY cannot decrypt them.
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

export function createServiceRepository(db: Queryable, cipher: SecretCipher): ServiceRepository {
  const resource = createResourceRepository(db, cipher, {
    table: 'services',
    resourceType: 'service',
    secretKind: 'service',
    inputSchema: serviceInputSchema,
    updateSchema: serviceUpdateSchema,
    toRecord,
    insert: (data, auth) => ({
      sql: `INSERT INTO services (name, base_url, kind, auth) VALUES ($1, $2, $3, $4::jsonb) RETURNING *`,
      params: [data.name, data.baseUrl, data.kind, auth],
    }),
    update: (name, data, auth) => ({
      sql: `UPDATE services SET base_url = $2, kind = $3, auth = $4::jsonb, version = version + 1, updated_at = now()
            WHERE name = $1 RETURNING *`,
      params: [name, data.baseUrl, data.kind, auth],
    }),
    urlOf: (row) => row.base_url,
    updateUrlOf: (data) => data.baseUrl,
    async movedIssues(tx, name, move) {
      // The applications' credentials were given for the old origin as well. They are not part of this write, so
      // the move waits until none keeps a secret: delete them, move, add them again (or add a new service).
      const credentials = await tx.query<CredentialRow>(
        'SELECT * FROM service_credentials WHERE service = $1 ORDER BY application_id',
        [name],
      );
      return credentials.flatMap((credential) => {
        const field = holdsSecret(credential.auth);
        if (field === undefined) return [];
        return [
          {
            path: ['credentials', credential.application_id],
            message: `the URL's origin changes (${move.from} → ${move.to}) and application '${credential.application_id}' keeps its stored ${field}: delete its credentials first and add them again after the change, or add a new service for the new URL`,
            code: 'custom',
          },
        ];
      });
    },
    async deleteRow(tx, name, { revision, actor }) {
      // A topic's binding lives in its settings, not in a foreign key: checked here, in the transaction, with the
      // service's row locked (a topic write binding it holds it FOR SHARE, so one of the two waits for the other).
      const users = await tx.query<{ engine: string; topic: string }>(
        `SELECT engine, topic FROM topics
         WHERE EXISTS (SELECT 1 FROM jsonb_each_text(settings -> 'services') AS b WHERE b.value = $1)
         ORDER BY engine, topic LIMIT 10`,
        [name],
      );
      if (users.length > 0) {
        throw new InUseError(
          'service',
          name,
          users.map((u) => `topic '${u.engine}/${u.topic}'`),
        );
      }
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
    },
  });

  return {
    ...resource,

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
          ? openAuth<ServiceAuth>(row.application_auth!, cipher, {
              kind: 'credential',
              service: row.name,
              applicationId: row.application_id!,
            })
          : openAuth<ServiceAuth>(row.auth, cipher, { kind: 'service', name: row.name }),
      };
    },
  };
}

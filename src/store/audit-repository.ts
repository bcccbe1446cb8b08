/**
 * The audit log: one entry per write of the store, taken in the write's own transaction (so a rolled-back write
 * leaves no entry, and a written row always has one). `before` and `after` are redacted copies: a secret is
 * `{ set: true }`, or `{ set: true, changed: true }` when that write replaced it — never the secret itself.
 */
import { z } from 'zod';
import type { Queryable, Transaction } from './database.ts';
import type { ResourceType } from './errors.ts';
import { type Page, pageOf } from './page.ts';
import { parseInput } from './write-transaction.ts';

export type AuditAction = 'create' | 'update' | 'delete';

export interface AuditEntry {
  id: number;
  at: Date;
  /** The configuration revision this write made. */
  revision: number;
  actor: string;
  action: AuditAction;
  resourceType: ResourceType;
  /** The row's key: `local`, `zaken`, `zaken/<applicationId>`, `local/<topic>`. */
  resourceName: string;
  /** The row before the write (redacted); null for a create. */
  before: unknown;
  /** The row after the write (redacted); null for a delete. */
  after: unknown;
}

export const auditFilterSchema = z.strictObject({
  resourceType: z.enum(['engine', 'service', 'service-credential', 'topic']).optional(),
  resourceName: z.string().min(1).optional(),
  actor: z.string().min(1).optional(),
  /** Entries older than this id (the next page: the last id of the previous one). */
  beforeId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type AuditFilter = z.input<typeof auditFilterSchema>;

export interface AuditRepository {
  /** Entries newest first, filtered; at most `limit` (default 100, at most 1000). */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
  /** The same entries as `list`, and whether older ones (matching the filter) follow. */
  page(filter?: AuditFilter): Promise<Page<AuditEntry>>;
}

interface AuditRow {
  id: number;
  at: Date;
  revision: number;
  actor: string;
  action: AuditAction;
  resource_type: ResourceType;
  resource_name: string;
  before: unknown;
  after: unknown;
}

export function createAuditRepository(db: Queryable): AuditRepository {
  const repository: AuditRepository = {
    async list(filter = {}) {
      return (await repository.page(filter)).items;
    },

    async page(filter = {}) {
      const f = parseInput(auditFilterSchema, filter);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (f.resourceType !== undefined) add('resource_type = ?', f.resourceType);
      if (f.resourceName !== undefined) add('resource_name = ?', f.resourceName);
      if (f.actor !== undefined) add('actor = ?', f.actor);
      if (f.beforeId !== undefined) add('id < ?', f.beforeId);
      params.push(f.limit + 1); // one more: whether older entries follow
      const rows = await db.query<AuditRow>(
        `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY id DESC LIMIT $${params.length}`,
        params,
      );
      const entries = rows.map((row) => ({
        id: row.id,
        at: row.at,
        revision: row.revision,
        actor: row.actor,
        action: row.action,
        resourceType: row.resource_type,
        resourceName: row.resource_name,
        before: row.before,
        after: row.after,
      }));
      return pageOf(entries, f.limit);
    },
  };
  return repository;
}

/** Writes an audit entry inside the write's transaction. `before`/`after` must already be redacted. */
export async function recordAudit(tx: Transaction, entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (revision, actor, action, resource_type, resource_name, before, after)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [
      entry.revision,
      entry.actor,
      entry.action,
      entry.resourceType,
      entry.resourceName,
      entry.before == null ? null : JSON.stringify(entry.before),
      entry.after == null ? null : JSON.stringify(entry.after),
    ],
  );
}

/**
 * The shape engines and services share in the store: a row keyed by `name` with an auth object whose secret is
 * encrypted, read redacted for the API, written in a transaction that bumps the configuration revision and
 * records a redacted audit entry. The tables differ only in their columns and in what a delete must check or
 * take along; those come in a `ResourceTable`, the rest is here once.
 */
import type { z } from 'zod';
import { recordAudit } from './audit-repository.ts';
import { keptSecretIssues, type OriginMove, originMove, type StoredAuth, sealAuth } from './auth-secrets.ts';
import type { Queryable, Transaction } from './database.ts';
import { type ResourceType, ValidationError, type ValidationIssue } from './errors.ts';
import { type Page, type PageRequest, pageOf } from './page.ts';
import type { VersionedWriteOptions, WriteOptions } from './schemas.ts';
import type { SecretCipher } from './secret-cipher.ts';
import type { SecretRow } from './secret-location.ts';
import { insertRow, lockRow, parseWriteOptions, writeTransaction } from './write-transaction.ts';

/** The columns every resource row has. */
export interface ResourceRow {
  name: string;
  auth: StoredAuth;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** A SQL statement with its parameters. */
export interface Statement {
  sql: string;
  params: readonly unknown[];
}

type AuthInput = { type: string } & Record<string, unknown>;

/** What makes one table a resource: its name, columns, schemas, and the rules of its delete. */
export interface ResourceTable<
  Row extends ResourceRow,
  Rec,
  Input extends z.ZodType<{ name: string; auth: AuthInput }>,
  Update extends z.ZodType<{ auth: AuthInput }>,
> {
  table: string;
  resourceType: ResourceType;
  /** The kind of row its secrets are encrypted for (secret-location.ts). */
  secretKind: 'engine' | 'service';
  inputSchema: Input;
  updateSchema: Update;
  /** The API form of a row, its secret redacted (`markChanged`: the audit entry says a new secret was written). */
  toRecord(row: Row, markChanged?: boolean): Rec;
  /** The INSERT … RETURNING * of a parsed input with its sealed auth (as JSON text). */
  insert(data: z.output<Input>, auth: string): Statement;
  /** The UPDATE … RETURNING * of the row `name` (bumping version and updated_at) with its sealed auth. */
  update(name: string, data: z.output<Update>, auth: string): Statement;
  /** The URL a row's secret is sent to (an engine's `url`, a service's `baseUrl`), stored and in an update. */
  urlOf(row: Row): string;
  updateUrlOf(data: z.output<Update>): string;
  /**
   * When an update moves the URL to another origin: the issues of what else keeps a secret given for the old
   * one (a service's application credentials). Read in the update's transaction, the row locked.
   */
  movedIssues?(tx: Transaction, name: string, move: OriginMove): Promise<ValidationIssue[]>;
  /**
   * Deletes the locked row `name` in `tx`: checks what still uses it (InUseError) or takes its dependants along
   * (auditing each); the resource's own audit entry is written after.
   */
  deleteRow(tx: Transaction, name: string, context: { revision: number; actor: string }): Promise<void>;
}

/**
 * The reads and writes every resource has; the repositories add their own (resolve, credentialsFor). `In` and
 * `Up` are the parsed create and update inputs: the store takes values its callers parsed.
 */
export interface ResourceRepository<Rec, In = never, Up = never> {
  /** All rows, by name; secrets redacted. */
  list(): Promise<Rec[]>;
  /** One page of the rows, by name (those after `after`); secrets redacted. */
  page(request: PageRequest): Promise<Page<Rec>>;
  /** One row, secrets redacted; undefined when there is none of that name. */
  get(name: string): Promise<Rec | undefined>;
  /**
   * Creates a row from a parsed input (the caller parsed it with the table's `inputSchema`: the API in createApp,
   * a configuration file in its schema). Throws ValidationError (options), DuplicateError.
   */
  create(input: In, options: WriteOptions): Promise<Rec>;
  /**
   * Replaces a row's settings (all but the name) with a parsed update (`updateSchema`). An auth secret of
   * `{ set: true }` keeps the stored one, unless the URL's origin (scheme, host, port) changes: then the secret
   * must be given again (a ValidationError at `auth.<field>`), and the table's `movedIssues` too. Throws
   * ValidationError, NotFoundError, StaleWriteError.
   */
  update(name: string, input: Up, options: VersionedWriteOptions): Promise<Rec>;
  /** Deletes a row. Throws NotFoundError, StaleWriteError, and what the table's `deleteRow` throws. */
  delete(name: string, options: VersionedWriteOptions): Promise<void>;
}

export function createResourceRepository<
  Row extends ResourceRow,
  Rec,
  Input extends z.ZodType<{ name: string; auth: AuthInput }>,
  Update extends z.ZodType<{ auth: AuthInput }>,
>(
  db: Queryable,
  cipher: SecretCipher,
  table: ResourceTable<Row, Rec, Input, Update>,
): ResourceRepository<Rec, z.output<Input>, z.output<Update>> {
  const { resourceType, toRecord } = table;
  const secretRow = (name: string): SecretRow => ({ kind: table.secretKind, name });
  const selectOne = (name: string): Statement => ({
    sql: `SELECT * FROM ${table.table} WHERE name = $1`,
    params: [name],
  });
  const audit = (
    revision: number,
    actor: string,
    action: 'create' | 'update' | 'delete',
    name: string,
    before: Rec | null,
    after: Rec | null,
  ) => ({ revision, actor, action, resourceType, resourceName: name, before, after });

  return {
    async list() {
      return (await db.query<Row>(`SELECT * FROM ${table.table} ORDER BY name`)).map((row) => toRecord(row));
    },

    async page({ after, limit }) {
      const rows = await db.query<Row>(
        `SELECT * FROM ${table.table} WHERE $1::text IS NULL OR name > $1 ORDER BY name LIMIT $2`,
        [after ?? null, limit + 1],
      );
      return pageOf(
        rows.map((row) => toRecord(row)),
        limit,
      );
    },

    async get(name) {
      const { sql, params } = selectOne(name);
      const [row] = await db.query<Row>(sql, params);
      return row && toRecord(row);
    },

    async create(data, options) {
      const { actor } = parseWriteOptions(options);
      const { stored, secretChanged } = sealAuth(data.auth, undefined, cipher, secretRow(data.name));
      return writeTransaction(db, async (tx, revision) => {
        const row = await insertRow<Row>(
          tx,
          table.insert(data, JSON.stringify(stored)),
          resourceType,
          data.name,
        );
        await recordAudit(
          tx,
          audit(revision, actor, 'create', data.name, null, toRecord(row, secretChanged)),
        );
        return toRecord(row);
      });
    },

    async update(name, data, options) {
      const { actor, expectedVersion } = parseWriteOptions(options);
      return writeTransaction(db, async (tx, revision) => {
        const current = await lockRow<Row>(tx, selectOne(name), resourceType, name, expectedVersion);
        // A secret is given for an origin: moving the URL to another one needs it (and its dependants') again.
        const move = originMove(table.urlOf(current), table.updateUrlOf(data));
        const moved = [
          ...keptSecretIssues(data.auth, move),
          ...(move && table.movedIssues ? await table.movedIssues(tx, name, move) : []),
        ];
        if (moved.length > 0) throw new ValidationError(moved);
        const { stored, secretChanged } = sealAuth(data.auth, current.auth, cipher, secretRow(name));
        const { sql, params } = table.update(name, data, JSON.stringify(stored));
        const [row] = await tx.query<Row>(sql, params);
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
        const current = await lockRow<Row>(tx, selectOne(name), resourceType, name, expectedVersion);
        await table.deleteRow(tx, name, { revision, actor });
        await recordAudit(tx, audit(revision, actor, 'delete', name, toRecord(current), null));
      });
    },
  };
}

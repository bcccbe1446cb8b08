/**
 * What every write of the store shares: input parsing into ValidationError, the write options, the version check,
 * and the transaction that bumps the revision and takes the audit entry with the change.
 */
import type { z } from 'zod';
import type { Queryable, Transaction } from './database.ts';
import {
  DuplicateError,
  NotFoundError,
  type ResourceType,
  SQLSTATE,
  StaleWriteError,
  sqlState,
  ValidationError,
} from './errors.ts';
import { bumpRevision } from './revision.ts';
import { actorSchema, expectedVersionSchema, type VersionedWriteOptions } from './schemas.ts';

/** Parses `input` with `schema`; throws ValidationError with zod's issues. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

/** Checks the actor and the expected version. */
export function parseWriteOptions(options: VersionedWriteOptions): {
  actor: string;
  expectedVersion?: number;
} {
  const actor = actorSchema.safeParse(options.actor);
  const expectedVersion = expectedVersionSchema.safeParse(options.expectedVersion);
  const issues = [
    ...(actor.success
      ? []
      : actor.error.issues.map((i) => ({ path: ['actor'], message: i.message, code: i.code }))),
    ...(expectedVersion.success
      ? []
      : expectedVersion.error.issues.map((i) => ({
          path: ['expectedVersion'],
          message: i.message,
          code: i.code,
        }))),
  ];
  if (issues.length > 0 || !actor.success || !expectedVersion.success) throw new ValidationError(issues);
  return expectedVersion.data === undefined
    ? { actor: actor.data }
    : { actor: actor.data, expectedVersion: expectedVersion.data };
}

/** Throws StaleWriteError when an expected version was given and the row is at another. */
export function checkVersion(
  resourceType: ResourceType,
  resourceName: string,
  expectedVersion: number | undefined,
  currentVersion: number,
): void {
  if (expectedVersion !== undefined && expectedVersion !== currentVersion) {
    throw new StaleWriteError(resourceType, resourceName, expectedVersion, currentVersion);
  }
}

/**
 * Runs a write in a transaction (a savepoint when `db` is already one) that first bumps the configuration
 * revision; `fn` gets the new revision for its audit entry. Anything `fn` throws rolls back the row, the audit
 * entry and the revision together.
 */
export function writeTransaction<T>(
  db: Queryable,
  fn: (tx: Transaction, revision: number) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => fn(tx, await bumpRevision(tx)));
}

/**
 * Reads the row a write is about `FOR UPDATE` (holding it until the transaction ends), and checks that it exists
 * (NotFoundError) and is at the expected version (StaleWriteError).
 */
export async function lockRow<Row extends { version: number }>(
  tx: Transaction,
  select: { sql: string; params: readonly unknown[] },
  resourceType: ResourceType,
  resourceName: string,
  expectedVersion: number | undefined,
): Promise<Row> {
  const [row] = await tx.query<Row>(`${select.sql} FOR UPDATE`, select.params);
  if (!row) throw new NotFoundError(resourceType, resourceName);
  checkVersion(resourceType, resourceName, expectedVersion, row.version);
  return row;
}

/** Runs an INSERT … RETURNING *, turning a unique violation (23505, on both drivers) into DuplicateError. */
export async function insertRow<Row>(
  tx: Transaction,
  insert: { sql: string; params: readonly unknown[] },
  resourceType: ResourceType,
  resourceName: string,
): Promise<Row> {
  try {
    const [row] = await tx.query<Row>(insert.sql, insert.params);
    if (!row) throw new Error(`INSERT of ${resourceType} '${resourceName}' returned no row`);
    return row;
  } catch (error) {
    if (sqlState(error) === SQLSTATE.uniqueViolation) {
      throw new DuplicateError(resourceType, resourceName, { cause: error });
    }
    throw error;
  }
}

/**
 * The errors of the configuration store. Each says what the caller did wrong (or what is wrong with the
 * store), so that the API can map it to a status without matching on messages:
 *
 * | error                 | when                                                   | API status |
 * |-----------------------|--------------------------------------------------------|------------|
 * | ValidationError       | input does not fit its schema                          | 400        |
 * | NotFoundError         | update or delete of a row that does not exist          | 404        |
 * | DuplicateError        | create of a row whose name (key) is taken              | 409        |
 * | StaleWriteError       | update or delete with an `expectedVersion` that is old | 409 (412 with If-Match) |
 * | InvalidReferenceError | a topic names an engine or binds a service (a credential a service) that does not exist | 400/422 |
 * | InUseError            | delete of an engine that topics still use, of a service that topics bind | 409 |
 * | SecretKeyError        | a stored secret cannot be decrypted with BPTL_SECRET_KEY | 500 (operator) |
 *
 * None of them is retried by trying the same call again, except StaleWriteError after re-reading the row.
 */
import type { z } from 'zod';

/** The resources the store keeps; also the `resource_type` of audit entries. */
export type ResourceType = 'engine' | 'service' | 'service-credential' | 'topic';

/** One problem with an input: where (the field path) and what. */
export interface ValidationIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
}

/** Thrown when an input (API body, actor, expected version) does not fit its schema. Carries every issue. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly issues: readonly ValidationIssue[];
  constructor(issues: readonly ValidationIssue[], options: { cause?: unknown } = {}) {
    super(
      `invalid input: ${issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`).join('; ')}`,
      { cause: options.cause },
    );
    this.issues = issues;
  }

  /** Wraps zod's issues, keeping their code, path and message. */
  static fromZod(error: z.ZodError): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => ({ path: [...issue.path], message: issue.message, code: issue.code })),
      { cause: error },
    );
  }
}

/** Thrown when an update or delete names a row that does not exist. (`get` returns undefined instead.) */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  constructor(resourceType: ResourceType, resourceName: string) {
    super(`${resourceType} '${resourceName}' does not exist`);
    this.resourceType = resourceType;
    this.resourceName = resourceName;
  }
}

/** Thrown when a create would take a name (key) that another row has (PostgreSQL's unique violation, 23505). */
export class DuplicateError extends Error {
  override readonly name = 'DuplicateError';
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  constructor(resourceType: ResourceType, resourceName: string, options: { cause?: unknown } = {}) {
    super(`${resourceType} '${resourceName}' already exists`, { cause: options.cause });
    this.resourceType = resourceType;
    this.resourceName = resourceName;
  }
}

/**
 * Thrown when an update or delete was made against an older version of the row than the stored one (somebody
 * else wrote in between). `currentVersion` is the stored version: re-read the row, and try again if still meant.
 */
export class StaleWriteError extends Error {
  override readonly name = 'StaleWriteError';
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  readonly expectedVersion: number;
  readonly currentVersion: number;
  constructor(
    resourceType: ResourceType,
    resourceName: string,
    expectedVersion: number,
    currentVersion: number,
  ) {
    super(
      `${resourceType} '${resourceName}' is at version ${currentVersion}, not ${expectedVersion}: it was changed in the meantime`,
    );
    this.resourceType = resourceType;
    this.resourceName = resourceName;
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }
}

/** Thrown when a row refers to one that does not exist: a topic's engine or bound service, a credential's service. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
  /** The field that refers, e.g. `engine`. */
  readonly field: string;
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  constructor(
    field: string,
    resourceType: ResourceType,
    resourceName: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${field}: ${resourceType} '${resourceName}' does not exist`, { cause: options.cause });
    this.field = field;
    this.resourceType = resourceType;
    this.resourceName = resourceName;
  }
}

/** Thrown when a delete would leave other rows pointing at nothing: an engine that topics use, a service they bind. */
export class InUseError extends Error {
  override readonly name = 'InUseError';
  readonly resourceType: ResourceType;
  readonly resourceName: string;
  /** Names of the rows that use it (possibly only the first few). */
  readonly usedBy: readonly string[];
  constructor(resourceType: ResourceType, resourceName: string, usedBy: readonly string[]) {
    super(`${resourceType} '${resourceName}' is still used by ${usedBy.join(', ')}`);
    this.resourceType = resourceType;
    this.resourceName = resourceName;
    this.usedBy = usedBy;
  }
}

/**
 * Thrown when a stored secret cannot be decrypted: BPTL_SECRET_KEY is not the key it was written with (the key
 * was rotated or mistyped), or the stored value was damaged. The message names the variable and the secret.
 */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

/** The SQLSTATE of a PostgreSQL error, from node-postgres and PGlite alike (both put it in `code`). */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** SQLSTATEs the store maps to its own errors. */
export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
} as const;

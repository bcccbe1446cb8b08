/**
 * Moves an auth object between its forms (see schemas.ts): input → stored (secret encrypted, or kept from the
 * stored row when the input says `{ set: true }`), stored → redacted (for the API and the audit log), and
 * stored → clear (for the worker only). Each takes the row the auth belongs to: its secret is encrypted for that
 * row and its field (`auth.<field>`), and decrypts there only (secret-location.ts).
 */
import { SecretKeyError, ValidationError, type ValidationIssue } from './errors.ts';
import { type Redacted, SECRET_FIELDS, type SecretField } from './schemas.ts';
import { type EncryptedSecret, isEncryptedSecret, type SecretCipher } from './secret-cipher.ts';
import { describeLocation, type SecretLocation, type SecretRow } from './secret-location.ts';

/** An auth object as kept in a JSONB column. */
export type StoredAuth = { type: string } & Record<string, unknown>;

/** The secret field of an auth type; undefined for `none`. */
export function secretFieldOf(type: string): SecretField | undefined {
  return (SECRET_FIELDS as Record<string, SecretField>)[type];
}

/** Where the secret field `field` of the auth of `row` is. */
function locationOf(row: SecretRow, field: SecretField): SecretLocation {
  return { row, field: `auth.${field}` };
}

/**
 * The stored form of a (parsed) auth input for `row`. A secret given as text is encrypted; `{ set: true }` keeps
 * the secret of `previous` (the same row's) when it has the same type, and is a ValidationError (at
 * `auth.<field>`) otherwise. `secretChanged` says whether a new secret was written (for the audit log).
 */
export function sealAuth(
  input: { type: string } & Record<string, unknown>,
  previous: StoredAuth | undefined,
  cipher: SecretCipher,
  row: SecretRow,
): { stored: StoredAuth; secretChanged: boolean } {
  const field = secretFieldOf(input.type);
  if (field === undefined) return { stored: { ...input }, secretChanged: false };
  const value = input[field];
  if (typeof value === 'string') {
    return {
      stored: { ...input, [field]: cipher.encrypt(value, locationOf(row, field)) },
      secretChanged: true,
    };
  }
  const kept = previous?.type === input.type ? previous[field] : undefined;
  if (!isEncryptedSecret(kept)) {
    throw new ValidationError([
      {
        path: ['auth', field],
        message: `there is no stored ${field} to keep${previous && previous.type !== input.type ? ` (the auth type was '${previous.type}')` : ''}: give the ${field}`,
        code: 'custom',
      },
    ]);
  }
  return { stored: { ...input, [field]: kept }, secretChanged: false };
}

/**
 * Where a URL's requests go, and so its secrets: scheme, host and port (`https://a.example.nl`, the default port
 * left out). A URL without an origin of its own (not http, https, ws, ftp) is its own origin.
 */
export function originOf(url: string): string {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? url : origin;
  } catch {
    return url;
  }
}

/** A URL's origin before and after a write; undefined when it stays (a path change within the origin). */
export interface OriginMove {
  from: string;
  to: string;
}

export function originMove(before: string, after: string): OriginMove | undefined {
  const from = originOf(before);
  const to = originOf(after);
  return from === to ? undefined : { from, to };
}

/** Whether a stored auth holds a secret (an encrypted one: what `{ set: true }` would keep). */
export function holdsSecret(stored: StoredAuth): SecretField | undefined {
  const field = secretFieldOf(stored.type);
  return field !== undefined && isEncryptedSecret(stored[field]) ? field : undefined;
}

/**
 * The issue of an auth input that keeps its stored secret (`{ set: true }`) while its URL moves to another
 * origin: the secret was given for the old one, and is only sent to the new one when it is given again.
 */
export function keptSecretIssues(
  input: { type: string } & Record<string, unknown>,
  move: OriginMove | undefined,
): ValidationIssue[] {
  const field = secretFieldOf(input.type);
  if (move === undefined || field === undefined || typeof input[field] === 'string') return [];
  return [
    {
      path: ['auth', field],
      message: `the URL's origin changes (${move.from} → ${move.to}): send the ${field} again`,
      code: 'custom',
    },
  ];
}

/**
 * The form the API (and the audit log) sees: the secret replaced by `{ set: true }`. With `markChanged`, a secret
 * that this write replaced reads `{ set: true, changed: true }` (audit entries only).
 */
export function redactAuth<R>(stored: StoredAuth, markChanged = false): R {
  const field = secretFieldOf(stored.type);
  if (field === undefined || !(field in stored)) return { ...stored } as R;
  const marker: Redacted | (Redacted & { changed: true }) = markChanged
    ? { set: true, changed: true }
    : { set: true };
  return { ...stored, [field]: marker } as R;
}

/** The clear secret of `stored`, read from `row`. Throws SecretKeyError. */
function openSecret(stored: StoredAuth, field: SecretField, cipher: SecretCipher, row: SecretRow): string {
  const secret = stored[field];
  const location = locationOf(row, field);
  if (!isEncryptedSecret(secret)) {
    // Not written by the store (edited by hand?): refuse rather than hand out whatever is there.
    throw new SecretKeyError(
      `cannot decrypt ${describeLocation(location)}: the stored value is not an encrypted secret; enter it again`,
    );
  }
  return cipher.decrypt(secret, location);
}

/** The clear form, for the worker's calls: decrypts the secret of `row`'s auth. Throws SecretKeyError. */
export function openAuth<A>(stored: StoredAuth, cipher: SecretCipher, row: SecretRow): A {
  const field = secretFieldOf(stored.type);
  if (field === undefined) return { ...stored } as A;
  return { ...stored, [field]: openSecret(stored, field, cipher, row) } as A;
}

/** What re-encrypting one stored secret does (or would do). */
export type ResealOutcome =
  | { location: SecretLocation; status: 'current' }
  | { location: SecretLocation; status: 're-encrypted'; reason: string; stored: StoredAuth }
  | { location: SecretLocation; status: 'not decryptable'; reason: string };

/**
 * The auth of `row` with its secret encrypted again under the current key and format, when it is stale (an
 * older key, or v1); `current` when it need not be. Every secret is decrypted, current ones too:
 * `not decryptable` (with the SecretKeyError's message, never the value) when it cannot be read there, e.g. one
 * copied from another row. Undefined for an auth without a secret.
 */
export function resealAuth(
  stored: StoredAuth,
  cipher: SecretCipher,
  row: SecretRow,
): ResealOutcome | undefined {
  const field = secretFieldOf(stored.type);
  if (field === undefined) return undefined;
  const location = locationOf(row, field);
  let clear: string;
  try {
    clear = openSecret(stored, field, cipher, row);
  } catch (error) {
    if (!(error instanceof SecretKeyError)) throw error;
    return { location, status: 'not decryptable', reason: error.message };
  }
  const reason = cipher.staleReason(stored[field] as EncryptedSecret);
  if (reason === undefined) return { location, status: 'current' };
  return {
    location,
    status: 're-encrypted',
    reason,
    stored: { ...stored, [field]: cipher.encrypt(clear, location) },
  };
}

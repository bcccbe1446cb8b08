/**
 * Where a stored secret lives: the row (an engine, a service, or one application's credentials of a service) and
 * the field (`auth.password`, …). The cipher binds each ciphertext to its location as GCM associated data, so
 * that a ciphertext copied into another row or field does not decrypt. Rows are keyed by their names, and names
 * never change (an update replaces everything but the name; migrations/001-initial.sql), so a secret's location
 * is fixed for as long as it is stored.
 */

/** The row a secret belongs to. */
export type SecretRow =
  | { kind: 'engine'; name: string }
  | { kind: 'service'; name: string }
  | { kind: 'credential'; service: string; applicationId: string };

/** A secret's row and field. */
export interface SecretLocation {
  row: SecretRow;
  /** The field's path in the row, e.g. `auth.password`. */
  field: string;
}

/** The parts of the row's key. */
function keyOf(row: SecretRow): string[] {
  return row.kind === 'credential' ? [row.service, row.applicationId] : [row.name];
}

/**
 * The associated data of a secret: `bptl:v2:<kind>:<row key>:<field>`, each part percent-encoded (names may
 * hold `:` or `/`), a credential's key being two parts (service, application id). Never stored: it is rebuilt
 * from the row a secret is read from.
 */
export function associatedData(location: SecretLocation): Buffer {
  const parts = ['bptl', 'v2', location.row.kind, ...keyOf(location.row), location.field];
  return Buffer.from(parts.map(encodeURIComponent).join(':'), 'utf8');
}

/** The row as errors and reports name it: `engine 'local'`, `service 'zrc' credentials of application 'app'`. */
export function describeRow(row: SecretRow): string {
  if (row.kind === 'credential')
    return `service '${row.service}' credentials of application '${row.applicationId}'`;
  return `${row.kind} '${row.name}'`;
}

/** The secret as errors and reports name it: `engine 'local' auth.password`. */
export function describeLocation(location: SecretLocation): string {
  return `${describeRow(location.row)} ${location.field}`;
}

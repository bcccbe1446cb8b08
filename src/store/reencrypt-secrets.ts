/**
 * Re-encryption of every stored secret under the current BPTL_SECRET_KEY and format (`bptl secrets rotate`):
 * secrets under a key of BPTL_SECRET_KEY_PREVIOUS, and v1 secrets (not bound to their row), are written again;
 * the others are only checked. One transaction, the rows read `FOR NO KEY UPDATE`: a write of the API waits
 * for it (or it for the write) instead of one overwriting the other, and topic writes, which only take key
 * locks on the engine, do not wait. Neither audited nor a new revision: no value changes, so versions stay.
 */
import { type ResealOutcome, resealAuth, type StoredAuth } from './auth-secrets.ts';
import type { Queryable } from './database.ts';
import type { SecretCipher } from './secret-cipher.ts';
import { describeLocation, type SecretRow } from './secret-location.ts';

/** One secret in the report. */
export interface SecretReport {
  /** The secret, as errors name it: `engine 'local' auth.password`. */
  secret: string;
  status: ResealOutcome['status'];
  /** Why it was (would be) re-encrypted, or why it cannot be decrypted; never the value. */
  reason?: string;
}

export interface ReencryptReport {
  /** True when nothing was written (`--dry-run`). */
  dryRun: boolean;
  /** Each stored secret, in table and key order. */
  secrets: SecretReport[];
  reencrypted: number;
  current: number;
  notDecryptable: number;
}

interface Table {
  table: string;
  key: readonly string[];
  row(columns: Record<string, unknown>): SecretRow;
}

const TABLES: readonly Table[] = [
  { table: 'engines', key: ['name'], row: (r) => ({ kind: 'engine', name: String(r.name) }) },
  { table: 'services', key: ['name'], row: (r) => ({ kind: 'service', name: String(r.name) }) },
  {
    table: 'service_credentials',
    key: ['service', 'application_id'],
    row: (r) => ({ kind: 'credential', service: String(r.service), applicationId: String(r.application_id) }),
  },
];

/** Re-encrypts (with `dryRun`: only checks) every stored secret; see the file's comment. */
export function reencryptSecrets(
  db: Queryable,
  cipher: SecretCipher,
  options: { dryRun?: boolean } = {},
): Promise<ReencryptReport> {
  const dryRun = options.dryRun === true;
  return db.transaction(async (tx) => {
    const secrets: SecretReport[] = [];
    for (const { table, key, row } of TABLES) {
      const rows = await tx.query<Record<string, unknown> & { auth: StoredAuth }>(
        `SELECT ${key.join(', ')}, auth FROM ${table} ORDER BY ${key.join(', ')}${dryRun ? '' : ' FOR NO KEY UPDATE'}`,
      );
      for (const columns of rows) {
        const outcome = resealAuth(columns.auth, cipher, row(columns));
        if (!outcome) continue; // no secret (auth type none)
        secrets.push({
          secret: describeLocation(outcome.location),
          status: outcome.status,
          ...(outcome.status === 'current' ? {} : { reason: outcome.reason }),
        });
        if (outcome.status !== 're-encrypted' || dryRun) continue;
        await tx.query(
          `UPDATE ${table} SET auth = $1::jsonb WHERE ${key.map((k, i) => `${k} = $${i + 2}`).join(' AND ')}`,
          [JSON.stringify(outcome.stored), ...key.map((k) => columns[k])],
        );
      }
    }
    const count = (status: SecretReport['status']) => secrets.filter((s) => s.status === status).length;
    return {
      dryRun,
      secrets,
      reencrypted: count('re-encrypted'),
      current: count('current'),
      notDecryptable: count('not decryptable'),
    };
  });
}

/**
 * `bptl secrets rotate [--dry-run]`: re-encrypts every secret of the configuration store (DATABASE_URL, or the
 * embedded PGlite in BPTL_DATA_DIR) under the current BPTL_SECRET_KEY and format — those under a key of
 * BPTL_SECRET_KEY_PREVIOUS, and v1 ones not bound to their row — in one transaction (store.reencryptSecrets), and
 * prints each secret with what happened to it and why, never its value. Exit code 1 when a secret could not be
 * decrypted: it stays as it is, for an admin to enter again, and the old key must not go yet.
 */
import { loadEnv } from '../../config/env.ts';
import { ConfigError } from '../../errors.ts';
import { createLogger } from '../../logging/logger.ts';
import type { ReencryptReport, SecretReport } from '../../store/reencrypt-secrets.ts';

export interface SecretsCommandOptions {
  action: string | undefined;
  dryRun?: boolean | undefined;
  /** Where the environment is read from. @default process.env */
  envSource?: NodeJS.ProcessEnv;
  /** Where output goes. @default console.log */
  print?: (line: string) => void;
}

/** The report as text: one line per secret (its reason indented below), then the totals. */
export function formatReport(report: ReencryptReport): string[] {
  const label = (status: SecretReport['status']) =>
    status === 're-encrypted' && report.dryRun ? 'would re-encrypt' : status;
  const width = Math.max(...report.secrets.map((s) => label(s.status).length), 0);
  const lines = report.secrets.flatMap((s) => [
    `${label(s.status).padEnd(width)}  ${s.secret}`,
    ...(s.reason === undefined ? [] : [`${' '.repeat(width)}  ${s.reason}`]),
  ]);
  const total = report.secrets.length;
  lines.push(
    `${total} secret${total === 1 ? '' : 's'}: ${report.reencrypted} ${report.dryRun ? 'would be re-encrypted' : 're-encrypted'}, ` +
      `${report.current} current, ${report.notDecryptable} not decryptable` +
      (report.dryRun ? ' (dry run: nothing written)' : ''),
  );
  return lines;
}

export async function runSecrets(options: SecretsCommandOptions): Promise<number> {
  if (options.action !== 'rotate') {
    throw new ConfigError(
      `unknown action ${options.action ? `'${options.action}'` : '(none)'}: use bptl secrets rotate [--dry-run]`,
    );
  }
  const print = options.print ?? ((line: string) => console.log(line));
  const envSource = options.envSource ?? process.env;
  const env = loadEnv(envSource);
  const log = createLogger('bptl', { level: env.LOG_LEVEL });
  const { openConfigStore } = await import('../../store/config-store.ts');
  const store = await openConfigStore({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.dataDir,
    log,
    env: envSource,
  });
  try {
    const report = await store.reencryptSecrets({ dryRun: options.dryRun === true });
    for (const line of formatReport(report)) print(line);
    return report.notDecryptable > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

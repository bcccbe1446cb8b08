/**
 * The SMTP server `mail-send` uses, from the environment (`BPTL_SMTP_*`), parsed by a zod schema: a bad value
 * fails the task with a message naming the variable.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues } from '../../../config/format-issues.ts';
import { NonRetryableError } from '../../../errors.ts';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const smtpEnvSchema = z.object({
  BPTL_SMTP_HOST: z.string().min(1),
  /** @default 587 (465 when BPTL_SMTP_SECURE) */
  BPTL_SMTP_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  BPTL_SMTP_USER: z.string().min(1).optional(),
  BPTL_SMTP_PASSWORD: z.string().optional(),
  BPTL_SMTP_FROM: z.string().min(3),
  /** TLS from the first byte (port 465). @default false */
  BPTL_SMTP_SECURE: flag.default(false),
  /** Refuse to send unless the server offers STARTTLS (ignored with BPTL_SMTP_SECURE). @default true */
  BPTL_SMTP_STARTTLS: flag.default(true),
  /** PEM file of the CA that signed the server's certificate, for a private CA. @default the system's CAs */
  BPTL_SMTP_CA_FILE: z.string().min(1).optional(),
  /** Time-out of connecting and of each command, in milliseconds. @default 30000 */
  BPTL_SMTP_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
});

/** The SMTP settings `mail-send` connects with. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  auth: { user: string; pass: string } | undefined;
  from: string;
  /** PEM text of extra trusted CAs. */
  ca: string | undefined;
  timeoutMs: number;
}

/** Parses the `BPTL_SMTP_*` variables; throws a NonRetryableError naming a bad or missing one. */
export function smtpSettingsFromEnv(env: Record<string, string | undefined> = process.env): SmtpSettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('BPTL_SMTP_') && v !== ''),
  );
  const parsed = smtpEnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new NonRetryableError(`the SMTP settings are invalid:\n${formatIssues(parsed.error.issues)}`);
  }
  const e = parsed.data;
  let ca: string | undefined;
  if (e.BPTL_SMTP_CA_FILE) {
    try {
      ca = readFileSync(e.BPTL_SMTP_CA_FILE, 'utf8');
    } catch (error) {
      throw new NonRetryableError(`BPTL_SMTP_CA_FILE: cannot read ${e.BPTL_SMTP_CA_FILE}`, { cause: error });
    }
  }
  return {
    host: e.BPTL_SMTP_HOST,
    port: e.BPTL_SMTP_PORT ?? (e.BPTL_SMTP_SECURE ? 465 : 587),
    secure: e.BPTL_SMTP_SECURE,
    requireTls: !e.BPTL_SMTP_SECURE && e.BPTL_SMTP_STARTTLS,
    auth: e.BPTL_SMTP_USER ? { user: e.BPTL_SMTP_USER, pass: e.BPTL_SMTP_PASSWORD ?? '' } : undefined,
    from: e.BPTL_SMTP_FROM,
    ca,
    timeoutMs: e.BPTL_SMTP_TIMEOUT_MS,
  };
}

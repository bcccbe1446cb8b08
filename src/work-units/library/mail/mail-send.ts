/**
 * `mail-send`: sends one e-mail over SMTP (the server of `BPTL_SMTP_*`, STARTTLS required by default). The
 * subject, text and HTML are templates over the task's variables (`{{name}}`, `{{order.id}}`; values are
 * HTML-escaped in the HTML). Returns the message id the server accepted as `mailMessageId`.
 *
 * A recipient the server refuses (5xx) is a non-retryable failure naming the recipient; so is a refused
 * login. A server that is down, times out or answers 4xx (try later) is retried.
 *
 * SMTP has no way to ask a server whether it already took a message, so an attempt repeated after a lost answer
 * (the server accepted the message, the worker died before it heard so) sends the e-mail again. Its
 * `Message-ID` is therefore made from the task's idempotency key, `<key@bptl>`: the same on every attempt, so
 * that mail stores and clients that drop a message whose id they hold can drop the second copy.
 */
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { ensureError, NonRetryableError, RetryableError } from '../../../errors.ts';
import { defineWorkUnit, type WorkUnit } from '../../define-work-unit.ts';
import { escapeHtml, renderTemplate } from '../../template.ts';
import { type SmtpSettings, smtpSettingsFromEnv } from './smtp-settings.ts';

const CONTROL = new Set([
  'mailTo',
  'mailCc',
  'mailBcc',
  'mailReplyTo',
  'mailSubject',
  'mailText',
  'mailHtml',
]);
const addresses = z.union([z.string().min(3), z.array(z.string().min(3)).min(1)]);

const input = z
  .looseObject({
    mailTo: addresses,
    mailCc: addresses.optional(),
    mailBcc: addresses.optional(),
    mailReplyTo: z.string().min(3).optional(),
    mailSubject: z.string(),
    mailText: z.string().optional(),
    mailHtml: z.string().optional(),
  })
  .refine((v) => v.mailText !== undefined || v.mailHtml !== undefined, {
    message: 'set mailText or mailHtml (or both)',
    path: ['mailText'],
  });

const output = z.object({ mailMessageId: z.string() });

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  rejected?: string[];
}

/** The `mail-send` unit with other SMTP settings than the environment's (a function is called per task). */
export function createMailSend(
  settings: SmtpSettings | (() => SmtpSettings) = () => smtpSettingsFromEnv(),
): WorkUnit<z.infer<typeof input>, z.infer<typeof output>> {
  return defineWorkUnit({
    name: 'mail-send',
    description:
      'Sends an e-mail to `mailTo` (and `mailCc`, `mailBcc`) with templates `mailSubject`, `mailText` and/or `mailHtml` ({{name}}, {{obj.path}}) over the SMTP server of BPTL_SMTP_*; returns `mailMessageId` (`<idempotency key@bptl>`, the same on every attempt).',
    input,
    output,
    run: async ({ input, idempotencyKey, log }) => {
      const smtp = typeof settings === 'function' ? settings() : settings;
      const variables = Object.fromEntries(Object.entries(input).filter(([k]) => !CONTROL.has(k)));
      const subject = renderTemplate(input.mailSubject, variables, { what: 'mailSubject' });
      const text =
        input.mailText === undefined
          ? undefined
          : renderTemplate(input.mailText, variables, { what: 'mailText' });
      const html =
        input.mailHtml === undefined
          ? undefined
          : renderTemplate(input.mailHtml, variables, { what: 'mailHtml', encode: escapeHtml });
      const transport = nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        requireTLS: smtp.requireTls,
        ...(smtp.auth ? { auth: smtp.auth } : {}),
        ...(smtp.ca ? { tls: { ca: smtp.ca } } : {}),
        connectionTimeout: smtp.timeoutMs,
        greetingTimeout: smtp.timeoutMs,
        socketTimeout: smtp.timeoutMs,
      });
      try {
        const info = await transport.sendMail({
          from: smtp.from,
          messageId: `<${idempotencyKey}@bptl>`,
          to: input.mailTo,
          ...(input.mailCc ? { cc: input.mailCc } : {}),
          ...(input.mailBcc ? { bcc: input.mailBcc } : {}),
          ...(input.mailReplyTo ? { replyTo: input.mailReplyTo } : {}),
          subject,
          ...(text !== undefined ? { text } : {}),
          ...(html !== undefined ? { html } : {}),
        });
        const rejected = (info.rejected ?? []).map(String);
        if (rejected.length > 0) {
          // Sent to the others: trying again would send it twice, so this is final.
          throw new NonRetryableError(
            `the SMTP server refused recipient ${rejected.join(', ')} (the e-mail went to ${(info.accepted ?? []).map(String).join(', ')})`,
          );
        }
        log.info('mail sent', { messageId: info.messageId });
        return { mailMessageId: info.messageId };
      } catch (thrown) {
        throw toMailError(ensureError(thrown), smtp);
      } finally {
        transport.close();
      }
    },
  });
}

function toMailError(error: SmtpError, smtp: SmtpSettings): Error {
  if (error instanceof NonRetryableError || error instanceof RetryableError) return error;
  const server = `SMTP server ${smtp.host}:${smtp.port}`;
  const code = error.responseCode;
  if (error.code === 'EENVELOPE' && error.rejected?.length && (code === undefined || code >= 500)) {
    return new NonRetryableError(
      `the ${server} refused recipient ${error.rejected.join(', ')}: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  if (error.code === 'EAUTH')
    return new NonRetryableError(`the ${server} refused the login: ${error.message}`, { cause: error });
  if (code !== undefined && code >= 500)
    return new NonRetryableError(`the ${server} refused the e-mail: ${error.message}`, { cause: error });
  return new RetryableError(`the ${server} failed: ${error.message}`, { cause: error });
}

/** `mail-send` with the SMTP settings of the environment. */
export const mailSend = createMailSend();

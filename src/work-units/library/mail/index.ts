/** The mail units. */
export { createMailSend, mailSend } from './mail-send.ts';
export { type SmtpSettings, smtpSettingsFromEnv } from './smtp-settings.ts';

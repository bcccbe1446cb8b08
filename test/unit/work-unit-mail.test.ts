/**
 * `mail-send` against a real SMTP server on loopback (nodemailer's smtp-server) that requires STARTTLS and
 * AUTH (PLAIN or LOGIN) with a self-signed certificate made for the test, from which the test reads the
 * delivered message back (parsed by mailparser). Also: the Message-ID made from the task's idempotency key,
 * refused recipients, a refused login, a server without STARTTLS, temporary refusals, and the BPTL_SMTP_*
 * settings.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { test as base, describe, expect, it } from 'vitest';
import {
  createMailSend,
  type SmtpSettings,
  smtpSettingsFromEnv,
} from '../../src/work-units/library/mail/index.ts';
import { runWorkUnit } from '../../src/work-units/testing.ts';

const USER = 'bptl';
const PASSWORD = 'correct horse battery';

interface Delivery {
  mail: ParsedMail;
  envelopeTo: string[];
  secure: boolean;
  user: unknown;
}

/** The test's self-signed certificate for 127.0.0.1: its key and certificate, and the file that holds it. */
interface Certificate {
  key: string;
  cert: string;
  caFile: string;
}

/** The SMTP servers of one test and what they received. */
interface Smtp {
  /** The port of the test's server (STARTTLS, AUTH PLAIN/LOGIN required). */
  port: number;
  deliveries: Delivery[];
  /** Starts another server on 127.0.0.1, port 0, with `options` over the defaults; returns its port. */
  start(options?: Partial<SMTPServerOptions>): Promise<number>;
  /** Settings for the unit, to a server of this test (the test's certificate trusted, nothing else). */
  settings(port: number, overrides?: Record<string, string>): SmtpSettings;
}

/** Makes the certificate once per file (openssl takes a while), in a folder removed at the file's end. */
async function makeCertificate(onCleanup: (cleanup: () => Promise<void>) => void): Promise<Certificate> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bptl-smtp-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    path.join(dir, 'key.pem'),
    '-out',
    path.join(dir, 'cert.pem'),
  ]);
  return {
    key: await readFile(path.join(dir, 'key.pem'), 'utf8'),
    cert: await readFile(path.join(dir, 'cert.pem'), 'utf8'),
    caFile: path.join(dir, 'cert.pem'),
  };
}

/** An SMTP server on 127.0.0.1, port 0; `options` over the defaults (STARTTLS, AUTH PLAIN/LOGIN required). */
async function startServer(
  certificate: Certificate,
  deliveries: Delivery[],
  options: Partial<SMTPServerOptions> = {},
): Promise<SMTPServer> {
  const server = new SMTPServer({
    key: certificate.key,
    cert: certificate.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false, // AUTH only after STARTTLS
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@refused.example')) {
        return callback(
          Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: 550 }),
        );
      }
      if (address.address.endsWith('@busy.example')) {
        return callback(Object.assign(new Error('try again later'), { responseCode: 450 }));
      }
      return callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          deliveries.push({
            mail,
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            secure: session.secure,
            user: session.user,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const test = base
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('certificate', { scope: 'file' }, async ({}, { onCleanup }) => makeCertificate(onCleanup))
  .extend('smtp', async ({ certificate, onTestFinished }): Promise<Smtp> => {
    const deliveries: Delivery[] = [];
    const servers: SMTPServer[] = [];
    onTestFinished(async () => {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    });
    const start = async (options: Partial<SMTPServerOptions> = {}) => {
      const server = await startServer(certificate, deliveries, options);
      servers.push(server);
      return (server.server.address() as AddressInfo).port;
    };
    const settings = (port: number, overrides: Record<string, string> = {}): SmtpSettings =>
      smtpSettingsFromEnv({
        BPTL_SMTP_HOST: '127.0.0.1',
        BPTL_SMTP_PORT: String(port),
        BPTL_SMTP_USER: USER,
        BPTL_SMTP_PASSWORD: PASSWORD,
        BPTL_SMTP_FROM: 'BPTL <bptl@example.org>',
        BPTL_SMTP_CA_FILE: certificate.caFile, // trust the test's self-signed certificate, nothing else
        BPTL_SMTP_TIMEOUT_MS: '5000',
        ...overrides,
      });
    return { port: await start(), deliveries, start, settings };
  });

describe('mail-send', () => {
  test('delivers the templated e-mail over STARTTLS after AUTH, text and HTML', async ({ smtp }) => {
    const unit = createMailSend(smtp.settings(smtp.port));
    const result = await runWorkUnit(unit, {
      mailTo: ['ada@example.org', 'bob@example.org'],
      mailCc: 'carol@example.org',
      mailSubject: 'Order {{order.id}} received',
      mailText: 'Dear {{name}},\n\nwe received order {{order.id}}.',
      mailHtml: '<p>Dear <b>{{name}}</b>, order {{order.id}}.</p>',
      name: 'Ada <Lovelace>',
      order: { id: 42 },
    });
    expect(result).toMatchObject({
      outcome: 'completed',
      output: { mailMessageId: expect.stringMatching(/^<.+@.+>$/) },
    });
    expect(smtp.deliveries).toHaveLength(1);
    const [delivery] = smtp.deliveries;
    if (!delivery) throw new Error('nothing delivered');
    expect(delivery.secure).toBe(true); // upgraded with STARTTLS before anything was sent
    expect(delivery.user).toBe(USER);
    expect(delivery.envelopeTo).toEqual(['ada@example.org', 'bob@example.org', 'carol@example.org']);
    const { mail } = delivery;
    if (result.outcome === 'completed') expect(mail.messageId).toBe(result.output.mailMessageId);
    expect(mail.subject).toBe('Order 42 received');
    expect(mail.from?.text).toBe('"BPTL" <bptl@example.org>');
    expect([mail.to].flat().map((a) => a?.text)).toEqual(['ada@example.org, bob@example.org']);
    expect(mail.text).toBe('Dear Ada <Lovelace>,\n\nwe received order 42.');
    expect(mail.html).toBe('<p>Dear <b>Ada &#60;Lovelace&#62;</b>, order 42.</p>');
  });

  test('gives the e-mail a Message-ID from the task: the same on every attempt, another for another task', async ({
    smtp,
  }) => {
    const unit = createMailSend(smtp.settings(smtp.port));
    const variables = { mailTo: 'ada@example.org', mailSubject: 'Hi', mailText: 'Hello' };
    const results = [
      await runWorkUnit(unit, variables, { task: { taskId: 'task-1' }, attempt: 1 }),
      await runWorkUnit(unit, variables, { task: { taskId: 'task-1' }, attempt: 2 }),
      await runWorkUnit(unit, variables, { task: { taskId: 'task-2' }, attempt: 1 }),
    ];
    const delivered = smtp.deliveries.map((d) => d.mail.messageId);
    expect(delivered).toHaveLength(3);
    const [first, retried, other] = delivered;
    expect(first).toMatch(/^<[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@bptl>$/);
    expect(retried).toBe(first); // a mail store that holds the first can drop the second
    expect(other).toMatch(/^<[0-9a-f-]{36}@bptl>$/);
    expect(other).not.toBe(first);
    // What the unit returns is the id the receivers see.
    expect(results.map((r) => (r.outcome === 'completed' ? r.output.mailMessageId : r))).toEqual(delivered);
  });

  test('fails non-retryably naming a recipient the server refuses', async ({ smtp }) => {
    const result = await runWorkUnit(createMailSend(smtp.settings(smtp.port)), {
      mailTo: 'nobody@refused.example',
      mailSubject: 'Hi',
      mailText: 'Hello',
    });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'NonRetryableError' });
    if (result.outcome === 'failed')
      expect(result.message).toContain('refused recipient nobody@refused.example');
    expect(smtp.deliveries).toHaveLength(0);
  });

  test('fails non-retryably when one of several recipients is refused (the others got it: no second send)', async ({
    smtp,
  }) => {
    const result = await runWorkUnit(createMailSend(smtp.settings(smtp.port)), {
      mailTo: ['ada@example.org', 'nobody@refused.example'],
      mailSubject: 'Hi',
      mailText: 'Hello',
    });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed') {
      expect(result.message).toBe(
        'the SMTP server refused recipient nobody@refused.example (the e-mail went to ada@example.org)',
      );
    }
    expect(smtp.deliveries.map((d) => d.envelopeTo)).toEqual([['ada@example.org']]);
  });

  test('is retried when the server refuses a recipient for now (4xx)', async ({ smtp }) => {
    const result = await runWorkUnit(createMailSend(smtp.settings(smtp.port)), {
      mailTo: 'ada@busy.example',
      mailSubject: 'Hi',
      mailText: 'Hello',
    });
    expect(result).toMatchObject({ outcome: 'failed', retryable: true, type: 'RetryableError' });
  });

  test('fails non-retryably when the login is refused', async ({ smtp }) => {
    const result = await runWorkUnit(
      createMailSend(smtp.settings(smtp.port, { BPTL_SMTP_PASSWORD: 'wrong' })),
      {
        mailTo: 'ada@example.org',
        mailSubject: 'Hi',
        mailText: 'Hello',
      },
    );
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed') expect(result.message).toContain('refused the login');
    expect(smtp.deliveries).toHaveLength(0);
  });

  test('sends nothing to a server that does not offer STARTTLS', async ({ smtp }) => {
    const plainPort = await smtp.start({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    const result = await runWorkUnit(createMailSend(smtp.settings(plainPort)), {
      mailTo: 'ada@example.org',
      mailSubject: 'Hi',
      mailText: 'Hello',
    });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false });
    if (result.outcome === 'failed')
      expect(result.message).toContain('Error upgrading connection with STARTTLS');
    expect(smtp.deliveries).toHaveLength(0);
  });

  test('fails non-retryably naming the input variable when there is no body', async ({ smtp }) => {
    const result = await runWorkUnit(createMailSend(smtp.settings(smtp.port)), {
      mailTo: 'ada@example.org',
      mailSubject: 'Hi',
    });
    expect(result).toMatchObject({ outcome: 'failed', retryable: false, type: 'InputError' });
    if (result.outcome === 'failed') expect(result.message).toContain('mailText');
  });
});

describe('smtpSettingsFromEnv', () => {
  it('names a missing or bad variable', () => {
    expect(() => smtpSettingsFromEnv({ BPTL_SMTP_FROM: 'a@b.c' })).toThrow(/BPTL_SMTP_HOST/);
    expect(() =>
      smtpSettingsFromEnv({ BPTL_SMTP_HOST: 'h', BPTL_SMTP_FROM: 'a@b.c', BPTL_SMTP_PORT: 'x' }),
    ).toThrow(/BPTL_SMTP_PORT/);
  });

  it('defaults to port 587 with STARTTLS required, or 465 with BPTL_SMTP_SECURE', () => {
    expect(smtpSettingsFromEnv({ BPTL_SMTP_HOST: 'h', BPTL_SMTP_FROM: 'a@b.c' })).toMatchObject({
      port: 587,
      secure: false,
      requireTls: true,
      auth: undefined,
    });
    expect(
      smtpSettingsFromEnv({ BPTL_SMTP_HOST: 'h', BPTL_SMTP_FROM: 'a@b.c', BPTL_SMTP_SECURE: 'true' }),
    ).toMatchObject({
      port: 465,
      secure: true,
      requireTls: false,
    });
  });
});

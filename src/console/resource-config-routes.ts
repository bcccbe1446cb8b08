/**
 * The pages of a resource keyed by its name (engines, services): the list, and for an admin the create, edit
 * and delete forms. Secrets are write-only: the store reads them redacted, the forms never show them, and a
 * secret left empty on an edit is sent as `{ "set": true }`, which keeps the stored one (the API's PUT rule).
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { z } from 'zod';
import { actorOf, hasRole } from '../api/auth.ts';
import type { ResourceRepository } from '../store/resource-repository.ts';
import {
  type ConfigContext,
  canWrite,
  formBody,
  formVersion,
  refuseWrite,
  validate,
  type WriteFailure,
  writeFailure,
} from './config-writes.ts';
import type { ConsoleEnv } from './console-app.ts';
import {
  type FieldIssue,
  type FieldSpec,
  type FormMode,
  type FormValues,
  fieldsFor,
  formInput,
  initialValues,
  recordValues,
  submittedValues,
} from './forms.ts';
import { notice, page } from './layout.ts';
import {
  type Column,
  confirmDeletePage,
  editDeleteLinks,
  formPage,
  listPage,
  type StaleState,
} from './pages/config-pages.ts';

export interface ResourcePages<Rec extends { name: string; version: number }, In, Up> {
  /** `engine`, `service`: in messages and in the list's query (`?saved=`). */
  noun: string;
  /** The list's title and the navigation's label. */
  title: string;
  /** The list's path, e.g. /console/engines. */
  path: string;
  fields: readonly FieldSpec[];
  columns: ReadonlyArray<Column<Rec>>;
  repository: ResourceRepository<Rec, In, Up>;
  inputSchema: z.ZodType<In>;
  updateSchema: z.ZodType<Up>;
  intro: string;
  deleteWarning: string;
  /** Throws (an ApiProblem 409) when the row must stay: the API's check. */
  beforeDelete?: (name: string) => Promise<void>;
}

export function resourceRoutes<Rec extends { name: string; version: number }, In, Up>(
  app: Hono<ConsoleEnv>,
  ctx: ConfigContext,
  spec: ResourcePages<Rec, In, Up>,
): void {
  const { render, log } = ctx;
  const { noun, path, repository } = spec;
  const base = path.replace(/^\/console/, '');
  const what = (name: string) => `${noun} '${name}'`;
  const nameQuery = (name: string) => `name=${encodeURIComponent(name)}`;
  const editHref = (name: string) => `${path}/edit?${nameQuery(name)}`;
  const deleteHref = (name: string) => `${path}/delete?${nameQuery(name)}`;

  const list = async (c: Context<ConsoleEnv>, extra: { error?: string } = {}, status: 200 | 409 = 200) => {
    const saved = c.req.query('saved');
    const deleted = c.req.query('deleted');
    const done = saved ? `Saved ${what(saved)}.` : deleted ? `Deleted ${what(deleted)}.` : undefined;
    const body = listPage({
      title: spec.title,
      active: path,
      session: c.get('session'),
      rows: await repository.list(),
      columns: spec.columns,
      canWrite: canWrite(c, ctx.deps),
      readOnly: ctx.deps.readOnly,
      done,
      newHref: `${path}/new`,
      newLabel: `New ${noun}`,
      empty: `No ${noun} yet.`,
      intro: html`${extra.error ? notice('error', extra.error) : ''}<p class="muted">${spec.intro}</p>`,
      actions: (row) => editDeleteLinks(editHref(row.name), deleteHref(row.name)),
    });
    return render(c, body, status);
  };

  const form = (
    c: Context<ConsoleEnv>,
    options: {
      mode: FormMode;
      values: FormValues;
      issues?: readonly FieldIssue[];
      name?: string;
      version?: number;
      stale?: StaleState;
      error?: string;
    },
    status: 200 | 400 | 404 | 409 | 422 = 200,
  ) => {
    const { mode, name } = options;
    return render(
      c,
      formPage({
        title: name === undefined ? `New ${noun}` : `${spec.title.replace(/s$/, '')} ${name}`,
        active: path,
        session: c.get('session'),
        action: name === undefined ? `${path}/new` : editHref(name),
        mode,
        fields: fieldsFor(spec.fields, mode),
        values: options.values,
        issues: options.issues ?? [],
        ...(options.version === undefined ? {} : { version: options.version }),
        stale: options.stale,
        error: options.error,
        cancelHref: path,
        ...(name === undefined
          ? {}
          : { intro: html`<p>Name <code>${name}</code> (the key: it cannot be changed).</p>` }),
      }),
      status,
    );
  };

  const missing = (c: Context<ConsoleEnv>, name: string) =>
    render(
      c,
      page({
        title: spec.title,
        session: c.get('session'),
        active: path,
        body: notice('error', `There is no ${what(name)}.`),
      }),
      404,
    );

  /** A failed write's page: the form again, with the submitted values (never a secret) and what went wrong. */
  const failed = async (
    c: Context<ConsoleEnv>,
    failure: WriteFailure,
    options: { mode: FormMode; values: FormValues; name?: string; version?: number },
  ) => {
    const current = options.name === undefined ? undefined : await repository.get(options.name);
    return form(
      c,
      {
        ...options,
        issues: failure.issues,
        ...(failure.error ? { error: failure.error } : {}),
        ...(failure.stale && options.name !== undefined
          ? { stale: { message: failure.stale, current, reloadHref: editHref(options.name) } }
          : {}),
      },
      failure.status,
    );
  };

  app.get(base, (c) => list(c));

  app.get(`${base}/new`, async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    return form(c, { mode: 'create', values: initialValues(spec.fields) });
  });

  app.post(`${base}/new`, async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const body = await formBody(c);
    const values = submittedValues(spec.fields, body);
    const { input, issues } = formInput(spec.fields, body, 'create');
    if (issues.length > 0) return form(c, { mode: 'create', values, issues }, 400);
    const parsed = validate(spec.inputSchema, input);
    if (parsed.issues) return form(c, { mode: 'create', values, issues: parsed.issues }, 400);
    const name = typeof input.name === 'string' ? input.name : '';
    const actor = actorOf(c.get('session').principal);
    try {
      await repository.create(parsed.data, { actor });
    } catch (error) {
      return failed(c, writeFailure(error, what(name), 'name'), { mode: 'create', values });
    }
    log.info('console write', { actor, action: 'create', resource: what(name) });
    return c.redirect(`${path}?saved=${encodeURIComponent(name)}`, 303);
  });

  app.get(`${base}/edit`, async (c) => {
    const name = c.req.query('name') ?? '';
    const record = await repository.get(name);
    if (!record) return missing(c, name);
    if (!hasRole(c.get('session').principal, 'admin') || ctx.deps.readOnly !== undefined) {
      // Read only: every setting (secrets as `{ "set": true }`, as the store reads them).
      return render(
        c,
        page({
          title: `${spec.title.replace(/s$/, '')} ${name}`,
          session: c.get('session'),
          active: path,
          body: html`<p class="muted">Read only${ctx.deps.readOnly ? `: ${ctx.deps.readOnly}` : ': changing it needs an admin token'}.</p>
<pre id="record">${JSON.stringify(record, null, 2)}</pre>`,
        }),
      );
    }
    return form(c, {
      mode: 'edit',
      values: recordValues(spec.fields, record),
      name,
      version: record.version,
    });
  });

  app.post(`${base}/edit`, async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const name = c.req.query('name') ?? '';
    const body = await formBody(c);
    const values = submittedValues(spec.fields, body);
    const version = formVersion(body);
    const state = { mode: 'edit' as const, values, name, ...(version === undefined ? {} : { version }) };
    if (version === undefined) {
      return form(c, { ...state, error: 'The form carries no version: reload the page and try again.' }, 400);
    }
    const { input, issues } = formInput(spec.fields, body, 'edit');
    if (issues.length > 0) return form(c, { ...state, issues }, 400);
    const parsed = validate(spec.updateSchema, input);
    if (parsed.issues) return form(c, { ...state, issues: parsed.issues }, 400);
    const actor = actorOf(c.get('session').principal);
    try {
      await repository.update(name, parsed.data, { actor, expectedVersion: version });
    } catch (error) {
      return failed(c, writeFailure(error, what(name), 'name'), state);
    }
    log.info('console write', { actor, action: 'update', resource: what(name) });
    return c.redirect(`${path}?saved=${encodeURIComponent(name)}`, 303);
  });

  const confirm = (
    c: Context<ConsoleEnv>,
    name: string,
    version: number,
    error?: string,
    status: 200 | 409 = 200,
  ) =>
    render(
      c,
      confirmDeletePage({
        title: `Delete ${what(name)}`,
        active: path,
        session: c.get('session'),
        what: what(name),
        action: deleteHref(name),
        version,
        cancelHref: path,
        warning: spec.deleteWarning,
        error,
      }),
      status,
    );

  app.get(`${base}/delete`, async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const name = c.req.query('name') ?? '';
    const record = await repository.get(name);
    if (!record) return missing(c, name);
    return confirm(c, name, record.version);
  });

  app.post(`${base}/delete`, async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const name = c.req.query('name') ?? '';
    const version = formVersion(await formBody(c));
    if (version === undefined)
      return list(c, { error: 'The form carries no version: reload and try again.' }, 409);
    const actor = actorOf(c.get('session').principal);
    try {
      await spec.beforeDelete?.(name);
      await repository.delete(name, { actor, expectedVersion: version });
    } catch (error) {
      const failure = writeFailure(error, what(name), 'name');
      const message = failure.stale ?? failure.error ?? failure.issues.map((i) => i.message).join('; ');
      return confirm(c, name, version, `${message} Nothing was deleted.`, 409);
    }
    log.info('console write', { actor, action: 'delete', resource: what(name) });
    return c.redirect(`${path}?deleted=${encodeURIComponent(name)}`, 303);
  });
}

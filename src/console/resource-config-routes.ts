/**
 * The pages of a resource keyed by its name (engines, services, and a service's credentials per application,
 * inside the service its `scope` names): the list, and for an admin the create, edit and delete forms. Secrets are write-only: the store reads them redacted, the forms never show them, and a
 * secret left empty on an edit is sent as `{ "set": true }`, which keeps the stored one (the API's PUT rule).
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { z } from 'zod';
import { actorOf, hasRole } from '../api/auth.ts';
import { NotFoundError } from '../store/errors.ts';
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

/** A store of rows keyed by name: the whole store's (engines), or inside one parent row (a service's credentials). */
type Repository<Rec, In, Up> = Pick<
  ResourceRepository<Rec, In, Up>,
  'list' | 'get' | 'create' | 'update' | 'delete'
>;

export interface ResourcePages<Rec extends { name: string; version: number }, In, Up> {
  /** `engine`, `service`: in messages and in the list's query (`?saved=`). */
  noun: string;
  /** The list's title. */
  title: string;
  /** The list's path, e.g. /console/engines. */
  path: string;
  /** The navigation's entry. @default path */
  active?: string;
  fields: readonly FieldSpec[];
  columns: ReadonlyArray<Column<Rec>>;
  /** The rows' store; of the parent `scope` names when there is one. */
  repository: Repository<Rec, In, Up> | ((scope: string) => Repository<Rec, In, Up>);
  /** Rows inside a parent row: the query parameter that names it (`service`), its noun, and its list. */
  scope?: { param: string; noun: string; parentPath: string };
  /** The create input's field that is the row's name. @default name */
  keyField?: string;
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
  const { noun, path, scope } = spec;
  const active = spec.active ?? path;
  const keyField = spec.keyField ?? 'name';
  const base = path.replace(/^\/console/, '');

  /** Where a request is: the parent it names (if any), its rows' store, and its links. */
  const at = (c: Context<ConsoleEnv>) => {
    const parent = scope ? (c.req.query(scope.param) ?? '') : undefined;
    const repository =
      typeof spec.repository === 'function' ? spec.repository(parent ?? '') : spec.repository;
    const scopeQuery = scope ? `${scope.param}=${encodeURIComponent(parent ?? '')}&` : '';
    const of = scope ? ` of ${scope.noun} '${parent}'` : '';
    return {
      repository,
      listHref: `${path}${scope ? `?${scopeQuery.slice(0, -1)}` : ''}`,
      done: (key: 'saved' | 'deleted', name: string) =>
        `${path}?${scopeQuery}${key}=${encodeURIComponent(name)}`,
      newHref: `${path}/new${scope ? `?${scopeQuery.slice(0, -1)}` : ''}`,
      editHref: (name: string) => `${path}/edit?${scopeQuery}name=${encodeURIComponent(name)}`,
      deleteHref: (name: string) => `${path}/delete?${scopeQuery}name=${encodeURIComponent(name)}`,
      what: (name: string) => `${noun} '${name}'${of}`,
      title: `${spec.title}${of}`,
      rowTitle: (name: string) => `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${name}${of}`,
      parent,
    };
  };

  const list = async (c: Context<ConsoleEnv>, extra: { error?: string } = {}, status: 200 | 409 = 200) => {
    const here = at(c);
    const saved = c.req.query('saved');
    const deleted = c.req.query('deleted');
    const done = saved
      ? `Saved ${here.what(saved)}.`
      : deleted
        ? `Deleted ${here.what(deleted)}.`
        : undefined;
    let rows: Rec[];
    try {
      rows = await here.repository.list();
    } catch (error) {
      // A scope that names no parent (the store says so).
      if (error instanceof NotFoundError) return missing(c, error.message);
      throw error;
    }
    const body = listPage({
      title: here.title,
      active,
      session: c.get('session'),
      rows,
      columns: spec.columns,
      canWrite: canWrite(c, ctx.deps),
      readOnly: ctx.deps.readOnly,
      done,
      newHref: here.newHref,
      newLabel: `New ${noun}`,
      empty: `No ${noun} yet.`,
      intro: html`${extra.error ? notice('error', extra.error) : ''}<p class="muted">${spec.intro}</p>${
        scope ? html`<p class="links"><a href="${scope.parentPath}">Back to the ${scope.noun}s</a></p>` : ''
      }`,
      actions: (row) => editDeleteLinks(here.editHref(row.name), here.deleteHref(row.name)),
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
    const here = at(c);
    return render(
      c,
      formPage({
        title:
          name === undefined
            ? `New ${noun}${here.parent === undefined ? '' : ` of ${scope?.noun} '${here.parent}'`}`
            : here.rowTitle(name),
        active,
        session: c.get('session'),
        action: name === undefined ? here.newHref : here.editHref(name),
        mode,
        fields: fieldsFor(spec.fields, mode),
        values: options.values,
        issues: options.issues ?? [],
        ...(options.version === undefined ? {} : { version: options.version }),
        stale: options.stale,
        error: options.error,
        cancelHref: here.listHref,
        ...(name === undefined
          ? {}
          : { intro: html`<p>Name <code>${name}</code> (the key: it cannot be changed).</p>` }),
      }),
      status,
    );
  };

  /** A 404 page: `what` is not there. */
  const missing = (c: Context<ConsoleEnv>, what: string) =>
    render(
      c,
      page({
        title: at(c).title,
        session: c.get('session'),
        active,
        body: notice('error', `There is no ${what.replace(/ does not exist$/, '')}.`),
      }),
      404,
    );

  /** A failed write's page: the form again, with the submitted values (never a secret) and what went wrong. */
  const failed = async (
    c: Context<ConsoleEnv>,
    failure: WriteFailure,
    options: { mode: FormMode; values: FormValues; name?: string; version?: number },
  ) => {
    const here = at(c);
    const current = options.name === undefined ? undefined : await here.repository.get(options.name);
    return form(
      c,
      {
        ...options,
        issues: failure.issues,
        ...(failure.error ? { error: failure.error } : {}),
        ...(failure.stale && options.name !== undefined
          ? { stale: { message: failure.stale, current, reloadHref: here.editHref(options.name) } }
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
    const name = typeof input[keyField] === 'string' ? input[keyField] : '';
    const here = at(c);
    const actor = actorOf(c.get('session').principal);
    try {
      await here.repository.create(parsed.data, { actor });
    } catch (error) {
      return failed(c, writeFailure(error, here.what(name), keyField), { mode: 'create', values });
    }
    log.info('console write', { actor, action: 'create', resource: here.what(name) });
    return c.redirect(here.done('saved', name), 303);
  });

  app.get(`${base}/edit`, async (c) => {
    const name = c.req.query('name') ?? '';
    const here = at(c);
    const record = await here.repository.get(name);
    if (!record) return missing(c, here.what(name));
    if (!hasRole(c.get('session').principal, 'admin') || ctx.deps.readOnly !== undefined) {
      // Read only: every setting (secrets as `{ "set": true }`, as the store reads them).
      return render(
        c,
        page({
          title: here.rowTitle(name),
          session: c.get('session'),
          active,
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
    const here = at(c);
    const actor = actorOf(c.get('session').principal);
    try {
      await here.repository.update(name, parsed.data, { actor, expectedVersion: version });
    } catch (error) {
      return failed(c, writeFailure(error, here.what(name), keyField), state);
    }
    log.info('console write', { actor, action: 'update', resource: here.what(name) });
    return c.redirect(here.done('saved', name), 303);
  });

  const confirm = (
    c: Context<ConsoleEnv>,
    name: string,
    version: number,
    error?: string,
    status: 200 | 409 = 200,
  ) => {
    const here = at(c);
    return render(
      c,
      confirmDeletePage({
        title: `Delete ${here.what(name)}`,
        active,
        session: c.get('session'),
        what: here.what(name),
        action: here.deleteHref(name),
        version,
        cancelHref: here.listHref,
        warning: spec.deleteWarning,
        error,
      }),
      status,
    );
  };

  app.get(`${base}/delete`, async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const name = c.req.query('name') ?? '';
    const here = at(c);
    const record = await here.repository.get(name);
    if (!record) return missing(c, here.what(name));
    return confirm(c, name, record.version);
  });

  app.post(`${base}/delete`, async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const name = c.req.query('name') ?? '';
    const version = formVersion(await formBody(c));
    if (version === undefined)
      return list(c, { error: 'The form carries no version: reload and try again.' }, 409);
    const here = at(c);
    const actor = actorOf(c.get('session').principal);
    try {
      await spec.beforeDelete?.(name);
      await here.repository.delete(name, { actor, expectedVersion: version });
    } catch (error) {
      const failure = writeFailure(error, here.what(name), keyField);
      const message = failure.stale ?? failure.error ?? failure.issues.map((i) => i.message).join('; ');
      return confirm(c, name, version, `${message} Nothing was deleted.`, 409);
    }
    log.info('console write', { actor, action: 'delete', resource: here.what(name) });
    return c.redirect(here.done('deleted', name), 303);
  });
}

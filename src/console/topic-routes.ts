/**
 * The topic pages: the list (with each topic's tasks, and for an admin a one-click enable/disable), and the
 * create, edit and delete forms. A topic is keyed by engine and topic, named in the query
 * (`?engine=…&topic=…`: a Camunda topic may hold any character). Validation is the API's: topicInputSchema or
 * topicUpdateSchema, then checkTopicReferences (the work unit, its service aliases, the bound services).
 */
import type { Context, Hono } from 'hono';
import { actorOf, hasRole } from '../api/auth.ts';
import { ApiProblem } from '../api/problem.ts';
import { checkTopicReferences } from '../api/routes/topics.ts';
import { type TopicKey, type TopicRecord, topicInputSchema, topicUpdateSchema } from '../store/schemas.ts';
import { describeWorkUnit } from '../work-units/describe-work-unit.ts';
import { TOPIC_FIELDS } from './config-fields.ts';
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
  type FormMode,
  type FormValues,
  formInput,
  initialValues,
  recordValues,
  submittedValues,
} from './forms.ts';
import { notice, page } from './layout.ts';
import { confirmDeletePage, type StaleState } from './pages/config-pages.ts';
import { topicFormPage } from './pages/topic-form.ts';
import { TOPICS_PATH, topicQuery, topicsPage, topicViewPage } from './pages/topics.ts';

const nameOf = (key: TopicKey) => `${key.engine}/${key.topic}`;
const what = (key: TopicKey) => `topic '${nameOf(key)}'`;

/** A stored topic as the update schema takes it: its settings without the key and the row's bookkeeping. */
function settingsOf(record: TopicRecord): Record<string, unknown> {
  const { engine: _e, topic: _t, version: _v, createdAt: _c, updatedAt: _u, ...settings } = record;
  return settings;
}

export function topicRoutes(app: Hono<ConsoleEnv>, ctx: ConfigContext): void {
  const { deps, render, log } = ctx;
  const { store } = deps;
  const units = () =>
    deps.registry
      .list()
      .map(describeWorkUnit)
      .sort((a, b) => a.name.localeCompare(b.name));
  const keyOf = (c: Context<ConsoleEnv>): TopicKey => ({
    engine: c.req.query('engine') ?? '',
    topic: c.req.query('topic') ?? '',
  });
  const actor = (c: Context<ConsoleEnv>) => actorOf(c.get('session').principal);

  const list = async (c: Context<ConsoleEnv>, error?: string, status: 200 | 404 | 409 | 422 = 200) => {
    const saved = c.req.query('saved');
    const deleted = c.req.query('deleted');
    const done = error
      ? undefined
      : saved
        ? `Saved topic '${saved}'.`
        : deleted
          ? `Deleted topic '${deleted}'.`
          : undefined;
    const markup = topicsPage(c.get('session'), await store.topics.list(), {
      canWrite: canWrite(c, deps),
      readOnly: deps.readOnly,
      done,
      ...(error ? { error } : {}),
    });
    return render(c, markup, status);
  };

  const form = async (
    c: Context<ConsoleEnv>,
    options: {
      mode: FormMode;
      values: FormValues;
      issues?: readonly FieldIssue[];
      key?: TopicKey;
      version?: number;
      stale?: StaleState;
      error?: string;
    },
    status: 200 | 400 | 409 | 422 = 200,
  ) => {
    const { key } = options;
    const engines = (await store.engines.list()).map((e) => e.name);
    return render(
      c,
      topicFormPage(c.get('session'), {
        mode: options.mode,
        action: key ? `${TOPICS_PATH}/edit?${topicQuery(key)}` : `${TOPICS_PATH}/new`,
        values: options.values,
        issues: options.issues ?? [],
        engines,
        units: units(),
        ...(options.version === undefined ? {} : { version: options.version }),
        ...(key ? { key } : {}),
        stale: options.stale,
        error:
          options.error ??
          (options.mode === 'create' && engines.length === 0
            ? 'There is no engine yet: add one first (Engines), a topic names its engine.'
            : undefined),
      }),
      status,
    );
  };

  const missing = (c: Context<ConsoleEnv>, key: TopicKey) =>
    render(
      c,
      page({
        title: 'Topics',
        session: c.get('session'),
        active: TOPICS_PATH,
        body: notice('error', `There is no ${what(key)}.`),
      }),
      404,
    );

  const failed = async (
    c: Context<ConsoleEnv>,
    failure: WriteFailure,
    options: { mode: FormMode; values: FormValues; key?: TopicKey; version?: number },
  ) => {
    const { key } = options;
    const stale =
      failure.stale && key
        ? {
            message: failure.stale,
            current: await store.topics.get(key),
            reloadHref: `${TOPICS_PATH}/edit?${topicQuery(key)}`,
          }
        : undefined;
    return form(
      c,
      {
        ...options,
        issues: failure.issues,
        ...(failure.error ? { error: failure.error } : {}),
        ...(stale ? { stale } : {}),
      },
      failure.status === 404 ? 409 : failure.status,
    );
  };

  /** checkTopicReferences' verdict as a failure (422 naming the field), or undefined when the topic is sound. */
  const references = async (
    topic: { workUnit: string; services: Record<string, string> },
    key: TopicKey,
  ): Promise<WriteFailure | undefined> => {
    try {
      await checkTopicReferences(deps, topic);
      return undefined;
    } catch (error) {
      if (error instanceof ApiProblem) return writeFailure(error, what(key), 'topic');
      throw error;
    }
  };

  app.get('/topics', (c) => list(c));

  app.get('/topics/new', async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const values = initialValues(TOPIC_FIELDS);
    const engines = await store.engines.list();
    if (engines.length === 1) values.engine = engines[0]!.name;
    return form(c, { mode: 'create', values });
  });

  app.post('/topics/new', async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const body = await formBody(c);
    const values = submittedValues(TOPIC_FIELDS, body);
    const { input, issues } = formInput(TOPIC_FIELDS, body, 'create');
    if (issues.length > 0) return form(c, { mode: 'create', values, issues }, 400);
    const parsed = validate(topicInputSchema, input);
    if (parsed.issues) return form(c, { mode: 'create', values, issues: parsed.issues }, 400);
    const key = { engine: parsed.data.engine, topic: parsed.data.topic };
    const state = { mode: 'create' as const, values };
    const unsound = await references(parsed.data, key);
    if (unsound) return failed(c, unsound, state);
    try {
      await store.topics.create(parsed.data, { actor: actor(c) });
    } catch (error) {
      return failed(c, writeFailure(error, what(key), 'topic'), state);
    }
    log.info('console write', { actor: actor(c), action: 'create', resource: what(key) });
    return c.redirect(`${TOPICS_PATH}?saved=${encodeURIComponent(nameOf(key))}`, 303);
  });

  app.get('/topics/edit', async (c) => {
    const key = keyOf(c);
    const record = await store.topics.get(key);
    if (!record) return missing(c, key);
    if (!hasRole(c.get('session').principal, 'admin') || deps.readOnly !== undefined) {
      return render(c, topicViewPage(c.get('session'), record));
    }
    return form(c, {
      mode: 'edit',
      values: recordValues(TOPIC_FIELDS, record),
      key,
      version: record.version,
    });
  });

  app.post('/topics/edit', async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const key = keyOf(c);
    const body = await formBody(c);
    const values = submittedValues(TOPIC_FIELDS, body);
    const version = formVersion(body);
    const state = { mode: 'edit' as const, values, key, ...(version === undefined ? {} : { version }) };
    if (version === undefined) {
      return form(c, { ...state, error: 'The form carries no version: reload the page and try again.' }, 400);
    }
    const { input, issues } = formInput(TOPIC_FIELDS, body, 'edit');
    if (issues.length > 0) return form(c, { ...state, issues }, 400);
    const parsed = validate(topicUpdateSchema, input);
    if (parsed.issues) return form(c, { ...state, issues: parsed.issues }, 400);
    const unsound = await references(parsed.data, key);
    if (unsound) return failed(c, unsound, state);
    try {
      await store.topics.update(key, parsed.data, { actor: actor(c), expectedVersion: version });
    } catch (error) {
      return failed(c, writeFailure(error, what(key), 'topic'), state);
    }
    log.info('console write', { actor: actor(c), action: 'update', resource: what(key) });
    return c.redirect(`${TOPICS_PATH}?saved=${encodeURIComponent(nameOf(key))}`, 303);
  });

  // One click on the list: the stored settings with `enabled` flipped, at the version the list showed.
  app.post('/topics/enabled', async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const key = keyOf(c);
    const body = await formBody(c);
    const version = formVersion(body);
    const enabled = body.enabled === 'true';
    const record = await store.topics.get(key);
    if (!record) return list(c, `There is no ${what(key)}: it was deleted since the list was shown.`, 409);
    if (version === undefined) return list(c, 'The form carries no version: try again.', 409);
    const parsed = validate(topicUpdateSchema, { ...settingsOf(record), enabled });
    if (parsed.issues) {
      return list(
        c,
        `${what(key)} cannot be saved: ${parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
        422,
      );
    }
    const unsound = enabled ? await references(parsed.data, key) : undefined;
    if (unsound) {
      return list(
        c,
        `${what(key)} cannot be enabled: ${unsound.issues.map((i) => i.message).join('; ')}${unsound.error ?? ''}`,
        422,
      );
    }
    try {
      await store.topics.update(key, parsed.data, { actor: actor(c), expectedVersion: version });
    } catch (error) {
      const failure = writeFailure(error, what(key), 'topic');
      return list(
        c,
        `${failure.stale ?? failure.error ?? failure.issues.map((i) => i.message).join('; ')} Nothing was changed; the list shows what is stored now.`,
        409,
      );
    }
    log.info('console write', {
      actor: actor(c),
      action: enabled ? 'enable' : 'disable',
      resource: what(key),
    });
    return c.redirect(`${TOPICS_PATH}?saved=${encodeURIComponent(nameOf(key))}`, 303);
  });

  const confirm = (
    c: Context<ConsoleEnv>,
    key: TopicKey,
    version: number,
    error?: string,
    status: 200 | 409 = 200,
  ) =>
    render(
      c,
      confirmDeletePage({
        title: `Delete ${what(key)}`,
        active: TOPICS_PATH,
        session: c.get('session'),
        what: what(key),
        action: `${TOPICS_PATH}/delete?${topicQuery(key)}`,
        version,
        cancelHref: TOPICS_PATH,
        warning: 'Pollers stop fetching it within seconds; tasks already running finish.',
        error,
      }),
      status,
    );

  app.get('/topics/delete', async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const key = keyOf(c);
    const record = await store.topics.get(key);
    if (!record) return missing(c, key);
    return confirm(c, key, record.version);
  });

  app.post('/topics/delete', async (c) => {
    const refused = await refuseWrite(c, ctx);
    if (refused) return refused;
    const key = keyOf(c);
    const version = formVersion(await formBody(c));
    if (version === undefined) return list(c, 'The form carries no version: try again.', 409);
    try {
      await store.topics.delete(key, { actor: actor(c), expectedVersion: version });
    } catch (error) {
      const failure = writeFailure(error, what(key), 'topic');
      return confirm(c, key, version, `${failure.stale ?? failure.error ?? ''} Nothing was deleted.`, 409);
    }
    log.info('console write', { actor: actor(c), action: 'delete', resource: what(key) });
    return c.redirect(`${TOPICS_PATH}?deleted=${encodeURIComponent(nameOf(key))}`, 303);
  });
}

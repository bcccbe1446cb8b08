/**
 * The console's configuration pages: topics, engines and services, listed for every session and written
 * through forms by an admin. A write goes the API's way: the same zod schemas, the same reference checks
 * (checkTopicReferences), the session's principal as the audit log's actor, and the version the form was read
 * at as the expected version (what If-Match is to the API), so a stale form is refused (409) and its values
 * kept on the page. CSRF is checked for every POST before these routes run (console-app.ts).
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { actorOf, hasRole } from '../api/auth.ts';
import type { ApiDependencies } from '../api/dependencies.ts';
import { nulCharacterIssues } from '../api/nul-character.ts';
import { ApiProblem } from '../api/problem.ts';
import { checkServiceUnbound } from '../api/routes/services.ts';
import type { Logger } from '../logging/logger.ts';
import {
  DuplicateError,
  InUseError,
  InvalidReferenceError,
  NotFoundError,
  StaleWriteError,
  ValidationError,
} from '../store/errors.ts';
import {
  engineInputSchema,
  engineUpdateSchema,
  serviceInputSchema,
  serviceUpdateSchema,
} from '../store/schemas.ts';
import { ENGINE_FIELDS, SERVICE_FIELDS } from './config-fields.ts';
import type { ConsoleEnv } from './console-app.ts';
import { type FieldIssue, pathIssues } from './forms.ts';
import type { Markup } from './layout.ts';
import { refusedPage } from './pages/config-pages.ts';
import { ENGINE_COLUMNS, ENGINES_PATH } from './pages/engines.ts';
import { SERVICE_COLUMNS, SERVICES_PATH } from './pages/services.ts';
import { resourceRoutes } from './resource-config-routes.ts';
import { topicRoutes } from './topic-routes.ts';

/** Answers a page (console-app.ts's, with its security headers). */
export type Render = (
  c: Context<ConsoleEnv>,
  markup: Markup,
  status?: ContentfulStatusCode,
) => Promise<Response>;

/** What the configuration routes are built from. */
export interface ConfigContext {
  deps: ApiDependencies;
  log: Logger;
  render: Render;
}

/** Whether the session may write the configuration here: an admin, and a store that is not read-only. */
export function canWrite(c: Context<ConsoleEnv>, deps: ApiDependencies): boolean {
  return hasRole(c.get('session').principal, 'admin') && deps.readOnly === undefined;
}

/**
 * The answer to a write (or a write's form) the session may not make: 403 for a viewer (an admin token is
 * needed), 409 when the configuration is read-only here. Undefined: go ahead.
 */
export async function refuseWrite(c: Context<ConsoleEnv>, ctx: ConfigContext): Promise<Response | undefined> {
  const session = c.get('session');
  const { principal } = session;
  if (!hasRole(principal, 'admin')) {
    ctx.log.warn('console write refused', { actor: actorOf(principal), path: c.req.path, reason: 'viewer' });
    return ctx.render(
      c,
      refusedPage(
        session,
        `Changing the configuration needs an admin token: you are signed in with the viewer token '${principal.name}'. Sign out and sign in with an admin token.`,
      ),
      403,
    );
  }
  if (ctx.deps.readOnly !== undefined) {
    return ctx.render(
      c,
      refusedPage(session, `The configuration cannot be changed here: ${ctx.deps.readOnly}.`),
      409,
    );
  }
  return undefined;
}

/** A submitted form's fields (the last value of each; files are ignored by the forms). */
export async function formBody(c: Context<ConsoleEnv>): Promise<Record<string, unknown>> {
  return (await c.req.parseBody()) as Record<string, unknown>;
}

/** The version a form was read at (its hidden `version`); undefined when it carries none that is valid. */
export function formVersion(body: Record<string, unknown>): number | undefined {
  const value = body.version;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,14}$/.test(value)) return undefined;
  return Number(value);
}

/** `input` parsed by `schema`, or the issues naming each field (a NUL character first: the store cannot keep it). */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { data: z.output<S>; issues?: undefined } | { data?: undefined; issues: FieldIssue[] } {
  const nul = nulCharacterIssues(input);
  if (nul.length > 0) return { issues: pathIssues(nul) };
  const parsed = schema.safeParse(input);
  if (!parsed.success) return { issues: pathIssues(parsed.error.issues) };
  return { data: parsed.data };
}

/** Why a write failed, for the form to say; `stale` when someone else wrote (or deleted) since it was read. */
export interface WriteFailure {
  status: 400 | 404 | 409 | 422;
  issues: FieldIssue[];
  stale?: string;
  error?: string;
}

/**
 * The failure a write threw, as the form says it (the API's statuses: 400 invalid, 409 conflict, 422 a
 * reference to nothing); anything else is thrown on. `what` names the row (`topic 'test/order'`), `keyField`
 * the field a duplicate names.
 */
export function writeFailure(error: unknown, what: string, keyField: string): WriteFailure {
  if (error instanceof ValidationError) return { status: 400, issues: pathIssues(error.issues) };
  if (error instanceof StaleWriteError) {
    return {
      status: 409,
      issues: [],
      stale: `${what} was changed by someone else since you opened it (it is at version ${error.currentVersion} now, the form was read at version ${error.expectedVersion}): reload.`,
    };
  }
  if (error instanceof NotFoundError) {
    return { status: 409, issues: [], stale: `${what} was deleted by someone else since you opened it.` };
  }
  if (error instanceof DuplicateError) {
    return { status: 409, issues: [{ field: keyField, message: `${what} already exists` }] };
  }
  if (error instanceof InvalidReferenceError) {
    return { status: 422, issues: [{ field: error.field, message: error.message }] };
  }
  if (error instanceof InUseError) return { status: 409, issues: [], error: `${error.message}.` };
  if (error instanceof ApiProblem && (error.status === 409 || error.status === 422)) {
    const field = error.extensions.field;
    return typeof field === 'string'
      ? { status: error.status, issues: [{ field, message: error.message }] }
      : { status: error.status, issues: [], error: `${error.message}.` };
  }
  throw error;
}

/** Registers the topic, engine and service pages on the console's app (after its session middleware). */
export function registerConfigRoutes(app: Hono<ConsoleEnv>, ctx: ConfigContext): void {
  const { store } = ctx.deps;
  topicRoutes(app, ctx);
  resourceRoutes(app, ctx, {
    noun: 'engine',
    title: 'Engines',
    path: ENGINES_PATH,
    fields: ENGINE_FIELDS,
    columns: ENGINE_COLUMNS,
    repository: store.engines,
    inputSchema: engineInputSchema,
    updateSchema: engineUpdateSchema,
    intro: 'The Camunda engines pollers fetch from. Their auth secrets are write-only.',
    deleteWarning: 'Its pollers stop within seconds; an engine that topics still use cannot be deleted.',
  });
  resourceRoutes(app, ctx, {
    noun: 'service',
    title: 'Services',
    path: SERVICES_PATH,
    fields: SERVICE_FIELDS,
    columns: SERVICE_COLUMNS,
    repository: store.services,
    inputSchema: serviceInputSchema,
    updateSchema: serviceUpdateSchema,
    intro:
      'The systems work units call, bound to topics by alias. Their auth secrets are write-only. Credentials per application are managed through the API (/services/{name}/credentials).',
    deleteWarning:
      'Its credentials per application go with it; a service that topics bind cannot be deleted.',
    beforeDelete: (name) => checkServiceUnbound(store, name),
  });
}

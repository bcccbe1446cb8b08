/**
 * What the console's configuration writes share (config-routes.ts registers them): who may write, reading a
 * submitted form's version, validating with the API's schemas, and what a failed write tells the form. A write
 * goes the API's way: the same zod schemas and reference checks, the session's principal as the audit log's
 * actor, and the version the form was read at as the expected version (what If-Match is to the API).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { actorOf, hasRole } from '../api/auth.ts';
import type { ApiDependencies } from '../api/dependencies.ts';
import { nulCharacterIssues } from '../api/nul-character.ts';
import { ApiProblem } from '../api/problem.ts';
import type { Logger } from '../logging/logger.ts';
import {
  DuplicateError,
  InUseError,
  InvalidReferenceError,
  NotFoundError,
  StaleWriteError,
  ValidationError,
} from '../store/errors.ts';
import type { ConsoleEnv } from './console-app.ts';
import { type FieldIssue, pathIssues } from './forms.ts';
import type { Markup } from './layout.ts';
import { refusedPage } from './pages/config-pages.ts';

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

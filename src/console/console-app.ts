/**
 * The web console, served by the API's Hono app under /console: server-rendered pages (hono/html), one small
 * stylesheet of its own, no script. Sign-in exchanges an API token (viewer reads, admin writes) for a session
 * cookie (session.ts); every form carries the session's CSRF token (csrf.ts). A request without a session is
 * sent to the sign-in page, and back to where it was going after it.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiEnv } from '../api/auth.ts';
import { tokenMatcher } from '../api/auth.ts';
import type { ApiDependencies } from '../api/dependencies.ts';
import { searchTasks, type TaskPage, TaskSearchUnavailableError } from '../api/task-search.ts';
import { formatIssues } from '../config/format-issues.ts';
import type { Logger } from '../logging/logger.ts';
import { describeWorkUnit } from '../work-units/describe-work-unit.ts';
import { CONSOLE_CSS } from './assets/console-css.ts';
import { registerConfigRoutes } from './config-routes.ts';
import { checkCsrf } from './csrf.ts';
import { type Markup, notice, page } from './layout.ts';
import { loadOverview } from './overview.ts';
import { AUDIT_PAGE_SIZE, auditPage } from './pages/audit.ts';
import { overviewPage, overviewQuery } from './pages/overview.ts';
import { signInPage } from './pages/sign-in.ts';
import { taskDetailPage } from './pages/task-detail.ts';
import { taskListQuery, tasksPage } from './pages/tasks.ts';
import { workUnitsPage } from './pages/work-units.ts';
import { createSessionCodec, SESSION_COOKIE, type Session } from './session.ts';
import { loadTaskDetail } from './task-detail.ts';

export interface ConsoleEnv {
  Variables: ApiEnv['Variables'] & { session: Session };
}

/** Where the console starts. */
const HOME = '/console/overview';

/** Headers of every console answer: no framing, nothing from elsewhere, no caching of pages. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** A local console path to go back to after sign-in; anything else (another site, //host) is the home page. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console(\/|$|\?)/.test(next) && !next.startsWith('//') ? next : HOME;
}

async function render(c: Context, markup: Markup, status: ContentfulStatusCode = 200) {
  return c.html(await markup, status, PAGE_HEADERS);
}

export function consoleApp(deps: ApiDependencies, log: Logger): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const sessions = createSessionCodec(deps.tokens);
  const match = tokenMatcher(deps.tokens);
  const secure = (c: Context) => new URL(c.req.url).protocol === 'https:';

  app.get('/assets/console.css', (c) =>
    c.body(CONSOLE_CSS, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    }),
  );

  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (sessions.read(getCookie(c, SESSION_COOKIE))) return c.redirect(next, 303);
    return render(c, signInPage({ next }));
  });

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const principal = token === '' ? undefined : match(token);
    if (!principal) {
      log.warn('console sign-in refused', { reason: token === '' ? 'no token' : 'unknown token' });
      const error = token === '' ? 'Enter an API token.' : 'That token is not valid: check BPTL_API_TOKENS.';
      return render(c, signInPage({ error, next }), 401);
    }
    const { cookie, session } = sessions.issue(principal, token);
    setCookie(c, SESSION_COOKIE, cookie, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: secure(c),
      expires: new Date(session.expiresAt),
    });
    c.set('principal', principal);
    log.info('console sign-in', { actor: `token:${principal.name}`, role: principal.role });
    return c.redirect(next, 303);
  });

  // Everything below needs a session.
  const requireSession: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    const session = sessions.read(getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        const target = new URL(c.req.url);
        return c.redirect(`/console/login?next=${encodeURIComponent(target.pathname + target.search)}`, 303);
      }
      return render(c, signInPage({ error: 'Your session has ended: sign in again.' }), 401);
    }
    c.set('session', session);
    c.set('principal', session.principal);
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      const verdict = checkCsrf(session, form, {
        origin: c.req.header('origin'),
        host: c.req.header('host'),
      });
      if (!verdict.ok) {
        log.warn('console form refused', {
          actor: `token:${session.principal.name}`,
          reason: verdict.reason,
        });
        return render(c, page({ title: 'Refused', session, body: notice('error', verdict.reason) }), 403);
      }
    }
    await next();
  };
  app.use('*', requireSession);

  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(c) });
    return c.redirect('/console/login', 303);
  });

  app.get('/', (c) => c.redirect(HOME, 303));

  app.get('/overview', async (c) => {
    const session = c.get('session');
    const parsed = overviewQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const error = `The window is not valid: ${formatIssues(parsed.error.issues)}`;
      return render(c, page({ title: 'Overview', session, body: notice('error', error) }), 400);
    }
    const [topics, engines] = await Promise.all([deps.store.topics.list(), deps.store.engines.list()]);
    const overview = await loadOverview({
      temporal: deps.temporal,
      engines: deps.engines,
      engineNames: engines.map((e) => e.name),
      topics: [...new Set(topics.map((t) => t.topic))].sort(),
      window: parsed.data.window,
    });
    if (overview.errors.length > 0) log.warn('console overview incomplete', { errors: overview.errors });
    return render(c, overviewPage(session, overview));
  });

  app.get('/tasks', async (c) => {
    const session = c.get('session');
    const topics = [...new Set((await deps.store.topics.list()).map((t) => t.topic))].sort();
    const parsed = taskListQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const error = `The filter is not valid: ${formatIssues(parsed.error.issues)}`;
      return render(c, tasksPage(session, { filter: {}, topics, error, queryWithoutPage: '' }), 400);
    }
    const { page: pageToken, size, ...filter } = parsed.data;
    const queryWithoutPage = new URLSearchParams(
      Object.entries(c.req.query()).filter(([key, value]) => key !== 'page' && value !== ''),
    ).toString();
    if (!deps.temporal) {
      const error = 'Temporal is not connected to this API: the task list needs it.';
      return render(c, tasksPage(session, { filter, topics, error, queryWithoutPage }));
    }
    let result: TaskPage;
    try {
      result = await searchTasks(deps.temporal, filter, { pageSize: size, pageToken });
    } catch (error) {
      if (!(error instanceof TaskSearchUnavailableError)) throw error;
      log.warn('console task list unavailable', { error });
      return render(c, tasksPage(session, { filter, topics, error: `${error.message}.`, queryWithoutPage }));
    }
    return render(c, tasksPage(session, { filter, topics, result, queryWithoutPage }));
  });

  app.get('/tasks/:workflowId{.+}', async (c) => {
    const session = c.get('session');
    const workflowId = c.req.param('workflowId');
    const runId = c.req.query('runId') || undefined;
    const title = `Task ${workflowId}`;
    if (!deps.temporal) {
      return render(
        c,
        page({ title, session, body: notice('error', 'Temporal is not connected to this API.') }),
      );
    }
    let detail: Awaited<ReturnType<typeof loadTaskDetail>>;
    try {
      detail = await deps.temporal.connection.withDeadline(Date.now() + 10_000, () =>
        loadTaskDetail(deps.temporal!, deps.engines, workflowId, runId),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        return render(
          c,
          page({
            title,
            session,
            body: notice('error', `Temporal has no workflow ${workflowId}${runId ? ` run ${runId}` : ''}.`),
          }),
          404,
        );
      }
      log.warn('console task detail unavailable', { workflowId, error });
      return render(
        c,
        page({
          title,
          session,
          body: notice('error', `Temporal could not describe the workflow: ${(error as Error).message}`),
        }),
      );
    }
    const links = deps.links ?? {};
    const namespace = links.namespace ?? deps.temporal.options.namespace;
    const temporalRun = links.temporalUi
      ? `${links.temporalUi.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(detail.workflowId)}/${encodeURIComponent(detail.runId)}/history`
      : undefined;
    const engine = detail.attributes.BptlEngine;
    const instance = detail.attributes.BptlProcessInstanceId;
    const cockpit = engine ? links.cockpit?.(engine) : undefined;
    const cockpitInstance =
      cockpit && instance
        ? `${cockpit.replace(/\/*$/, '/')}#/process-instance/${encodeURIComponent(instance)}`
        : undefined;
    return render(c, taskDetailPage(session, detail, { temporalRun, cockpitInstance }));
  });

  app.get('/work-units', (c) =>
    render(c, workUnitsPage(c.get('session'), deps.registry.list().map(describeWorkUnit))),
  );

  app.get('/audit', async (c) => {
    const before = Number(c.req.query('beforeId'));
    const entries = await deps.store.audit.list({
      limit: AUDIT_PAGE_SIZE + 1,
      ...(Number.isInteger(before) && before > 0 ? { beforeId: before } : {}),
    });
    return render(
      c,
      auditPage(c.get('session'), entries.slice(0, AUDIT_PAGE_SIZE), entries.length > AUDIT_PAGE_SIZE),
    );
  });

  registerConfigRoutes(app, { deps, log, render });

  // Last: any other console path (the app's notFound answers problem+json for the API's paths).
  app.all('*', (c) =>
    render(
      c,
      page({
        title: 'Not found',
        session: c.get('session'),
        body: notice('error', `No console page ${c.req.path}.`),
      }),
      404,
    ),
  );
  return app;
}

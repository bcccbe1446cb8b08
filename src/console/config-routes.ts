/**
 * The console's configuration pages: topics, engines and services, listed for every session and written
 * through forms by an admin (config-writes.ts: the API's rules). CSRF is checked for every POST before these
 * routes run (console-app.ts).
 */
import type { Hono } from 'hono';
import { checkServiceUnbound } from '../api/routes/services.ts';
import {
  engineInputSchema,
  engineUpdateSchema,
  serviceInputSchema,
  serviceUpdateSchema,
} from '../store/schemas.ts';
import { ENGINE_FIELDS, SERVICE_FIELDS } from './config-fields.ts';
import type { ConfigContext } from './config-writes.ts';
import type { ConsoleEnv } from './console-app.ts';
import { ENGINE_COLUMNS, ENGINES_PATH } from './pages/engines.ts';
import { SERVICE_COLUMNS, SERVICES_PATH } from './pages/services.ts';
import { resourceRoutes } from './resource-config-routes.ts';
import { topicRoutes } from './topic-routes.ts';

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

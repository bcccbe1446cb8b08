/**
 * The console's configuration pages: topics, engines and services, listed for every session and written
 * through forms by an admin (config-writes.ts: the API's rules). CSRF is checked for every POST before these
 * routes run (console-app.ts).
 */
import type { Hono } from 'hono';
import { checkServiceUnbound } from '../api/routes/services.ts';
import type { ConfigStore } from '../store/config-store.ts';
import {
  type CredentialRecord,
  credentialInputSchema,
  credentialUpdateSchema,
  engineInputSchema,
  engineUpdateSchema,
  serviceInputSchema,
  serviceUpdateSchema,
  type VersionedWriteOptions,
} from '../store/schemas.ts';
import { CREDENTIAL_FIELDS, ENGINE_FIELDS, SERVICE_FIELDS } from './config-fields.ts';
import type { ConfigContext } from './config-writes.ts';
import type { ConsoleEnv } from './console-app.ts';
import { ENGINE_COLUMNS, ENGINES_PATH } from './pages/engines.ts';
import {
  CREDENTIAL_COLUMNS,
  CREDENTIALS_PATH,
  type NamedCredential,
  SERVICE_COLUMNS,
  SERVICES_PATH,
} from './pages/services.ts';
import { resourceRoutes } from './resource-config-routes.ts';
import { topicRoutes } from './topic-routes.ts';

const named = (record: CredentialRecord): NamedCredential => ({ ...record, name: record.applicationId });

/** The credentials of one service as rows keyed by name (the application id), for the generic pages. */
function credentialsOf(store: ConfigStore, service: string) {
  return {
    list: async () => (await store.credentials.list(service)).map(named),
    get: async (id: string) => {
      const record = await store.credentials.get(service, id);
      return record && named(record);
    },
    create: async (input: unknown, options: { actor: string }) =>
      named(await store.credentials.create(service, input, options)),
    update: async (id: string, input: unknown, options: VersionedWriteOptions) =>
      named(await store.credentials.update(service, id, input, options)),
    delete: (id: string, options: VersionedWriteOptions) => store.credentials.delete(service, id, options),
  };
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
  // Before the services' routes: /services/credentials is not a service's page.
  resourceRoutes(app, ctx, {
    noun: 'application',
    title: 'Credentials per application',
    path: CREDENTIALS_PATH,
    active: SERVICES_PATH,
    scope: { param: 'service', noun: 'service', parentPath: SERVICES_PATH },
    keyField: 'applicationId',
    fields: CREDENTIAL_FIELDS,
    columns: CREDENTIAL_COLUMNS,
    repository: (service) => credentialsOf(store, service),
    inputSchema: credentialInputSchema,
    updateSchema: credentialUpdateSchema,
    intro:
      "A task whose bptlAppId variable names an application calls the service with that application's credentials, and with the service's own otherwise. Secrets are write-only.",
    deleteWarning:
      "Tasks that name this application (bptlAppId) fail until its credentials are added again; tasks without one use the service's own.",
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
      'The systems work units call, bound to topics by alias, with their default credentials and those per application. Their auth secrets are write-only.',
    deleteWarning:
      'Its credentials per application go with it; a service that topics bind cannot be deleted.',
    beforeDelete: (name) => checkServiceUnbound(store, name),
  });
}

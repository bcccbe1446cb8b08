/**
 * Services (the systems work units call) and their credentials per application: a task's `bptlAppId` variable
 * picks that application's credentials (a task without one uses the service's own; an application the service
 * has none of fails the task). Secrets are write-only, as for
 * engines. A service that topics bind cannot be deleted (409).
 */
import { z } from 'zod';
import type { ConfigStore } from '../../store/config-store.ts';
import {
  credentialInputSchema,
  credentialUpdateSchema,
  serviceInputSchema,
  serviceUpdateSchema,
} from '../../store/schemas.ts';
import { actorOf } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { etagOf, withEtag, writeOptions } from '../etag.ts';
import { type Operation, operation } from '../operation.ts';
import { afterParam, pageQuery, sendStorePage } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { forUpdate, param } from '../request.ts';
import { credentialRecordSchema, serviceRecordSchema } from '../resource-schemas.ts';
import { resourceOperations } from './resource-routes.ts';

const nameParam = { name: "the service's name" };
const credentialParams = { name: "the service's name", appId: "the application's id (a task's bptlAppId)" };

/**
 * Throws a 409 ApiProblem when topics bind the service `name` (the API's delete and the console's), naming them.
 * The store checks again in the delete's transaction (InUseError, also a 409): this check alone would let a topic
 * written in between bind the deleted service.
 */
export async function checkServiceUnbound(store: ConfigStore, name: string): Promise<void> {
  const usedBy = (await store.topics.list())
    .filter((t) => Object.values(t.services).includes(name))
    .map((t) => `topic '${t.engine}/${t.topic}'`);
  if (usedBy.length > 0) {
    throw new ApiProblem(409, `service '${name}' is still bound by ${usedBy.join(', ')}`, {
      extensions: { usedBy },
    });
  }
}

export function serviceOperations(deps: ApiDependencies): Operation[] {
  const { store } = deps;
  /** The credentials' version, for an If-Match that names several. */
  const current = (name: string, appId: string) => async () =>
    (await store.credentials.get(name, appId))?.version;
  return [
    ...resourceOperations({
      collection: 'services',
      noun: 'service',
      aNoun: 'a service',
      recordSchema: serviceRecordSchema,
      inputSchema: serviceInputSchema,
      updateSchema: serviceUpdateSchema,
      repository: store.services,
      descriptions: {
        update:
          'An auth secret of `{"set": true}` keeps the stored one, unless the `baseUrl` moves to another origin (scheme, host, port): then the secret must be sent again (400 naming `auth.<field>`), and the move is refused while application credentials keep a secret (400 naming `credentials.<appId>`: delete them, move, add them again).',
        delete: '409 while a topic binds it.',
      },
      deleteSummary: 'Delete a service and its credentials',
      beforeDelete: (name) => checkServiceUnbound(store, name),
    }),
    operation({
      method: 'get',
      path: '/services/{name}/credentials',
      operationId: 'listCredentials',
      tag: 'services',
      summary: "List the applications' credentials of a service",
      description:
        'A page at a time: `limit` and `after` (an application id), the next page in the Link header.',
      access: 'viewer',
      params: nameParam,
      query: z.object({ limit: pageQuery.shape.limit, after: afterParam('application id') }),
      responses: {
        200: { description: 'by application id', schema: z.array(credentialRecordSchema), link: true },
      },
      problems: [400, 404],
      handler: async (c, { query: { limit, after } }) =>
        sendStorePage(
          c,
          await store.credentials.page(param(c, 'name'), { after, limit }),
          limit,
          (row) => row.applicationId,
        ),
    }),
    {
      method: 'post',
      path: '/services/{name}/credentials',
      operationId: 'createCredentials',
      tag: 'services',
      summary: "Add an application's credentials for a service",
      access: 'admin',
      params: nameParam,
      body: credentialInputSchema,
      responses: { 201: { description: 'created', schema: credentialRecordSchema, etag: true } },
      problems: [400, 404, 409, 415],
      handler: async (c, { body }) => {
        const name = param(c, 'name');
        const record = await store.credentials.create(name, body, {
          actor: actorOf(c.get('principal')),
        });
        c.header('etag', etagOf(record.version));
        c.header(
          'location',
          `/services/${encodeURIComponent(name)}/credentials/${encodeURIComponent(record.applicationId)}`,
        );
        return c.json(record, 201);
      },
    },
    {
      method: 'get',
      path: '/services/{name}/credentials/{appId}',
      operationId: 'getCredentials',
      tag: 'services',
      summary: "Get an application's credentials for a service",
      access: 'viewer',
      params: credentialParams,
      responses: { 200: { description: 'the credentials', schema: credentialRecordSchema, etag: true } },
      problems: [404],
      handler: async (c) => {
        const name = param(c, 'name');
        const appId = param(c, 'appId');
        const record = await store.credentials.get(name, appId);
        if (!record)
          throw new ApiProblem(404, `service '${name}' has no credentials of application '${appId}'`);
        return withEtag(c, record);
      },
    },
    {
      method: 'put',
      path: '/services/{name}/credentials/{appId}',
      operationId: 'updateCredentials',
      tag: 'services',
      summary: "Replace an application's credentials for a service",
      description: 'An auth secret of `{"set": true}` keeps the stored one.',
      access: 'admin',
      params: credentialParams,
      ifMatch: true,
      body: credentialUpdateSchema,
      prepareBody: (body, c) =>
        forUpdate(body, { service: param(c, 'name'), applicationId: param(c, 'appId') }),
      responses: {
        200: { description: 'the updated credentials', schema: credentialRecordSchema, etag: true },
      },
      problems: [400, 404, 412, 415],
      handler: async (c, { body }) => {
        const name = param(c, 'name');
        const appId = param(c, 'appId');
        const options = await writeOptions(c, current(name, appId));
        return withEtag(c, await store.credentials.update(name, appId, body, options));
      },
    },
    {
      method: 'delete',
      path: '/services/{name}/credentials/{appId}',
      operationId: 'deleteCredentials',
      tag: 'services',
      summary: "Delete an application's credentials (its tasks fail until they are added again)",
      access: 'admin',
      params: credentialParams,
      ifMatch: true,
      responses: { 204: { description: 'deleted' } },
      problems: [404, 412],
      handler: async (c) => {
        const name = param(c, 'name');
        const appId = param(c, 'appId');
        await store.credentials.delete(name, appId, await writeOptions(c, current(name, appId)));
        return c.body(null, 204);
      },
    },
  ];
}

/**
 * Engines: the Camunda engines that pollers fetch from (name, REST base URL, auth, worker-id prefix). The auth
 * secret is write-only: reads show `{ "set": true }`, and a PUT may send that back to keep the stored secret.
 */
import { z } from 'zod';
import { engineInputSchema, engineUpdateSchema } from '../../store/schemas.ts';
import { parseInput } from '../../store/write-transaction.ts';
import { actorOf } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { etagOf, expectedVersion } from '../etag.ts';
import type { Operation } from '../operation.ts';
import { ApiProblem } from '../problem.ts';
import { forUpdate, param, readJson } from '../request.ts';
import { engineRecordSchema } from '../resource-schemas.ts';

const nameParam = { name: "the engine's name" };

export function engineOperations(deps: ApiDependencies): Operation[] {
  const { store } = deps;
  return [
    {
      method: 'get',
      path: '/engines',
      operationId: 'listEngines',
      tag: 'engines',
      summary: 'List the engines',
      access: 'viewer',
      responses: { 200: { description: 'the engines, by name', schema: z.array(engineRecordSchema) } },
      problems: [],
      handler: async (c) => c.json(await store.engines.list()),
    },
    {
      method: 'post',
      path: '/engines',
      operationId: 'createEngine',
      tag: 'engines',
      summary: 'Add an engine',
      description: 'Pollers start polling it within seconds (once a topic names it).',
      access: 'admin',
      body: engineInputSchema,
      responses: { 201: { description: 'created', schema: engineRecordSchema, etag: true } },
      problems: [400, 409, 415],
      handler: async (c) => {
        const record = await store.engines.create(await readJson(c), { actor: actorOf(c.get('principal')) });
        c.header('etag', etagOf(record.version));
        c.header('location', `/engines/${encodeURIComponent(record.name)}`);
        return c.json(record, 201);
      },
    },
    {
      method: 'get',
      path: '/engines/{name}',
      operationId: 'getEngine',
      tag: 'engines',
      summary: 'Get an engine',
      access: 'viewer',
      params: nameParam,
      responses: { 200: { description: 'the engine', schema: engineRecordSchema, etag: true } },
      problems: [404],
      handler: async (c) => {
        const name = param(c, 'name');
        const record = await store.engines.get(name);
        if (!record) throw new ApiProblem(404, `engine '${name}' does not exist`);
        c.header('etag', etagOf(record.version));
        return c.json(record);
      },
    },
    {
      method: 'put',
      path: '/engines/{name}',
      operationId: 'updateEngine',
      tag: 'engines',
      summary: 'Replace an engine',
      description:
        'An auth secret of `{"set": true}` keeps the stored one. `name`, `version`, `createdAt`, `updatedAt` are ignored (`name` must match the URL).',
      access: 'admin',
      params: nameParam,
      ifMatch: true,
      body: engineUpdateSchema,
      responses: { 200: { description: 'the updated engine', schema: engineRecordSchema, etag: true } },
      problems: [400, 404, 412, 415],
      handler: async (c) => {
        const name = param(c, 'name');
        const body = forUpdate(await readJson(c), { name });
        // The body is checked before If-Match: a bad body is a 400 whatever the version (not a 412, then a 400).
        parseInput(engineUpdateSchema, body);
        const version = await expectedVersion(c, async () => (await store.engines.get(name))?.version);
        const record = await store.engines.update(name, body, {
          actor: actorOf(c.get('principal')),
          expectedVersion: version,
        });
        c.header('etag', etagOf(record.version));
        return c.json(record);
      },
    },
    {
      method: 'delete',
      path: '/engines/{name}',
      operationId: 'deleteEngine',
      tag: 'engines',
      summary: 'Delete an engine',
      description: '409 while topics use it. Its pollers stop within seconds.',
      access: 'admin',
      params: nameParam,
      ifMatch: true,
      responses: { 204: { description: 'deleted' } },
      problems: [404, 409, 412],
      handler: async (c) => {
        const name = param(c, 'name');
        const version = await expectedVersion(c, async () => (await store.engines.get(name))?.version);
        await store.engines.delete(name, { actor: actorOf(c.get('principal')), expectedVersion: version });
        return c.body(null, 204);
      },
    },
  ];
}

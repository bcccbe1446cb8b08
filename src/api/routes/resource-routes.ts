/**
 * The operations engines and services share: list, create, get, replace and delete of a resource keyed by its
 * name, with its ETag, If-Match on writes, the acting principal in the audit log and problem+json errors. What
 * differs (wording, schemas, a delete's own check) comes in a `ResourceRoutes`.
 */
import { z } from 'zod';
import type { ResourceRepository } from '../../store/resource-repository.ts';
import { actorOf } from '../auth.ts';
import { etagOf, withEtag, writeOptions } from '../etag.ts';
import { type Operation, operation } from '../operation.ts';
import { pageQuery, sendStorePage } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { forUpdate, param } from '../request.ts';

/** One resource's routes: its path, names, schemas, store and wording. */
export interface ResourceRoutes<Rec extends { name: string; version: number }, In, Up> {
  /** The collection's path and tag: `engines` → `/engines`, `/engines/{name}`. */
  collection: string;
  /** The singular noun, as in operation ids (`Engine`) and messages (`engine 'x' does not exist`). */
  noun: string;
  /** The noun with its article, for summaries: `an engine`. */
  aNoun: string;
  recordSchema: z.ZodType;
  /** The create's body: createApp parses it, and the repository takes what it parsed. */
  inputSchema: z.ZodType<In>;
  updateSchema: z.ZodType<Up>;
  repository: ResourceRepository<Rec, In, Up>;
  descriptions: { create?: string; update: string; delete: string };
  /** The delete's summary when it does more than delete the row. */
  deleteSummary?: string;
  /** Runs before a delete (before If-Match is read): throws the ApiProblem when the row must stay. */
  beforeDelete?: (name: string) => Promise<void>;
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The five operations of `spec`, in the document's order. */
export function resourceOperations<Rec extends { name: string; version: number }, In, Up>(
  spec: ResourceRoutes<Rec, In, Up>,
): Operation[] {
  const { collection, noun, repository } = spec;
  const Noun = capitalised(noun);
  const Plural = capitalised(collection);
  const one = `/${collection}/{name}`;
  const params = { name: `the ${noun}'s name` };
  /** The row's version, for an If-Match that names several. */
  const current = (name: string) => async () => (await repository.get(name))?.version;
  return [
    operation({
      method: 'get',
      path: `/${collection}`,
      operationId: `list${Plural}`,
      tag: collection,
      summary: `List the ${collection}`,
      description:
        'A page at a time: `limit` and `after`, the next page in the Link header (docs/api.md, "Pagination").',
      access: 'viewer',
      query: pageQuery,
      responses: {
        200: { description: `the ${collection}, by name`, schema: z.array(spec.recordSchema), link: true },
      },
      problems: [400],
      handler: async (c, { query: { limit, after } }) =>
        sendStorePage(c, await repository.page({ after, limit }), limit, (row) => row.name),
    }),
    operation({
      method: 'post',
      path: `/${collection}`,
      operationId: `create${Noun}`,
      tag: collection,
      summary: `Add ${spec.aNoun}`,
      ...(spec.descriptions.create === undefined ? {} : { description: spec.descriptions.create }),
      access: 'admin',
      body: spec.inputSchema,
      responses: { 201: { description: 'created', schema: spec.recordSchema, etag: true } },
      problems: [400, 409, 415],
      handler: async (c, { body }) => {
        const record = await repository.create(body, { actor: actorOf(c.get('principal')) });
        c.header('etag', etagOf(record.version));
        c.header('location', `/${collection}/${encodeURIComponent(record.name)}`);
        return c.json(record, 201);
      },
    }),
    {
      method: 'get',
      path: one,
      operationId: `get${Noun}`,
      tag: collection,
      summary: `Get ${spec.aNoun}`,
      access: 'viewer',
      params,
      responses: { 200: { description: `the ${noun}`, schema: spec.recordSchema, etag: true } },
      problems: [404],
      handler: async (c) => {
        const name = param(c, 'name');
        const record = await repository.get(name);
        if (!record) throw new ApiProblem(404, `${noun} '${name}' does not exist`);
        return withEtag(c, record);
      },
    },
    operation({
      method: 'put',
      path: one,
      operationId: `update${Noun}`,
      tag: collection,
      summary: `Replace ${spec.aNoun}`,
      description: spec.descriptions.update,
      access: 'admin',
      params,
      ifMatch: true,
      body: spec.updateSchema,
      prepareBody: (body, c) => forUpdate(body, { name: param(c, 'name') }),
      responses: { 200: { description: `the updated ${noun}`, schema: spec.recordSchema, etag: true } },
      problems: [400, 404, 412, 415],
      handler: async (c, { body }) => {
        const name = param(c, 'name');
        return withEtag(c, await repository.update(name, body, await writeOptions(c, current(name))));
      },
    }),
    {
      method: 'delete',
      path: one,
      operationId: `delete${Noun}`,
      tag: collection,
      summary: spec.deleteSummary ?? `Delete ${spec.aNoun}`,
      description: spec.descriptions.delete,
      access: 'admin',
      params,
      ifMatch: true,
      responses: { 204: { description: 'deleted' } },
      problems: [404, 409, 412],
      handler: async (c) => {
        const name = param(c, 'name');
        await spec.beforeDelete?.(name);
        await repository.delete(name, await writeOptions(c, current(name)));
        return c.body(null, 204);
      },
    },
  ];
}

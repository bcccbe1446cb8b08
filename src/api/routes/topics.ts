/**
 * Topics: per engine and Camunda topic, the work unit that handles it and its settings (the configuration file's
 * topic shape, engine required). Besides the schema, a topic must name a registered work unit, bind each service
 * alias that work unit requires, and bind only services that exist (422 otherwise, naming the field).
 */
import { z } from 'zod';
import { MAX_NAME_LENGTH } from '../../config/names.ts';
import type { TopicKey } from '../../store/schemas.ts';
import { topicInputSchema, topicUpdateSchema } from '../../store/schemas.ts';
import { actorOf } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { etagOf, withEtag, writeOptions } from '../etag.ts';
import { type Operation, operation } from '../operation.ts';
import { afterParam, limitParam, sendStorePage } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { forUpdate, param } from '../request.ts';
import { topicRecordSchema } from '../resource-schemas.ts';

const listQuery = z.object({
  engine: z.string().min(1).max(MAX_NAME_LENGTH).optional().describe('only the topics of this engine'),
  enabled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('only the enabled (true) or disabled (false) topics'),
  limit: limitParam,
  after: afterParam('`<engine>/<topic>`').transform((key, ctx): TopicKey | undefined => {
    if (key === undefined) return undefined;
    // An engine's name holds no `/` (names.ts): the first one ends it, a topic may hold more.
    const slash = key.indexOf('/');
    if (slash <= 0 || slash === key.length - 1) {
      ctx.addIssue({ code: 'custom', message: 'a topic key: <engine>/<topic>' });
      return z.NEVER;
    }
    return { engine: key.slice(0, slash), topic: key.slice(slash + 1) };
  }),
});

const keyParams = { engine: "the engine's name", topic: "Camunda's topic name" };

/**
 * Checks what the schema cannot: the work unit, its service aliases, the bound services. 422 otherwise. The store
 * checks the bound services again in the write's transaction (InvalidReferenceError, also a 422 naming the field),
 * holding them until commit so that a concurrent delete cannot slip in between.
 */
export async function checkTopicReferences(
  deps: ApiDependencies,
  topic: { workUnit: string; services: Record<string, string> },
): Promise<void> {
  const unit = deps.registry.get(topic.workUnit);
  if (!unit) {
    throw new ApiProblem(
      422,
      `workUnit: work unit '${topic.workUnit}' does not exist (known: ${[...deps.registry.names()].sort().join(', ')})`,
      { extensions: { field: 'workUnit', workUnit: topic.workUnit } },
    );
  }
  for (const [alias, service] of Object.entries(topic.services)) {
    if (!(await deps.store.services.get(service))) {
      throw new ApiProblem(422, `services.${alias}: service '${service}' does not exist`, {
        extensions: { field: `services.${alias}`, service },
      });
    }
  }
  const missing = unit.services.filter((alias) => !(alias in topic.services));
  if (missing.length > 0) {
    throw new ApiProblem(
      422,
      `services: work unit '${unit.name}' needs service alias${missing.length > 1 ? 'es' : ''} ${missing.map((a) => `'${a}'`).join(', ')} bound to a service (services: { ${missing[0]}: <service name> })`,
      { extensions: { field: 'services', missingAliases: missing } },
    );
  }
}

function keyOf(c: Parameters<Operation['handler']>[0]): TopicKey {
  return { engine: param(c, 'engine'), topic: param(c, 'topic') };
}

export function topicOperations(deps: ApiDependencies): Operation[] {
  const { store } = deps;
  /** The topic's version, for an If-Match that names several. */
  const current = (key: TopicKey) => async () => (await store.topics.get(key))?.version;
  return [
    operation({
      method: 'get',
      path: '/topics',
      operationId: 'listTopics',
      tag: 'topics',
      summary: 'List the topics',
      description:
        'A page at a time: `limit` and `after` (`<engine>/<topic>`), the next page in the Link header (docs/api.md, "Pagination").',
      access: 'viewer',
      query: listQuery,
      responses: {
        200: {
          description: 'the topics, by engine and topic',
          schema: z.array(topicRecordSchema),
          link: true,
        },
      },
      problems: [400],
      handler: async (c, { query: { engine, enabled, limit, after } }) =>
        sendStorePage(
          c,
          await store.topics.page({ engine, enabled, after, limit }),
          limit,
          (t) => `${t.engine}/${t.topic}`,
        ),
    }),
    operation({
      method: 'post',
      path: '/topics',
      operationId: 'createTopic',
      tag: 'topics',
      summary: 'Create a topic',
      description:
        'The fields of a topic in bptl.config.yaml, with `engine` required. 422 when the engine, the work unit or a bound service does not exist, or a service alias the work unit requires is not bound.',
      access: 'admin',
      body: topicInputSchema,
      responses: { 201: { description: 'created', schema: topicRecordSchema, etag: true } },
      problems: [400, 409, 415, 422],
      handler: async (c, { body: topic }) => {
        await checkTopicReferences(deps, topic);
        const record = await store.topics.create(topic, { actor: actorOf(c.get('principal')) });
        c.header('etag', etagOf(record.version));
        c.header(
          'location',
          `/topics/${encodeURIComponent(record.engine)}/${encodeURIComponent(record.topic)}`,
        );
        return c.json(record, 201);
      },
    }),
    {
      method: 'get',
      path: '/topics/{engine}/{topic}',
      operationId: 'getTopic',
      tag: 'topics',
      summary: 'Get a topic',
      access: 'viewer',
      params: keyParams,
      responses: { 200: { description: 'the topic', schema: topicRecordSchema, etag: true } },
      problems: [404],
      handler: async (c) => {
        const key = keyOf(c);
        const record = await store.topics.get(key);
        if (!record) throw new ApiProblem(404, `topic '${key.engine}/${key.topic}' does not exist`);
        return withEtag(c, record);
      },
    },
    operation({
      method: 'put',
      path: '/topics/{engine}/{topic}',
      operationId: 'updateTopic',
      tag: 'topics',
      summary: 'Replace a topic',
      description:
        'Replaces every setting (left-out fields get their defaults). What GET returned may be sent back: `engine`, `topic`, `version`, `createdAt` and `updatedAt` are ignored (`engine` and `topic` must match the URL).',
      access: 'admin',
      params: keyParams,
      ifMatch: true,
      body: topicUpdateSchema,
      prepareBody: (body, c) => forUpdate(body, { ...keyOf(c) }),
      responses: { 200: { description: 'the updated topic', schema: topicRecordSchema, etag: true } },
      problems: [400, 404, 412, 415, 422],
      handler: async (c, { body: topic }) => {
        const key = keyOf(c);
        const options = await writeOptions(c, current(key));
        await checkTopicReferences(deps, topic);
        return withEtag(c, await store.topics.update(key, topic, options));
      },
    }),
    {
      method: 'delete',
      path: '/topics/{engine}/{topic}',
      operationId: 'deleteTopic',
      tag: 'topics',
      summary: 'Delete a topic',
      description: 'Pollers stop fetching it within seconds; tasks already running finish.',
      access: 'admin',
      params: keyParams,
      ifMatch: true,
      responses: { 204: { description: 'deleted' } },
      problems: [404, 412],
      handler: async (c) => {
        const key = keyOf(c);
        await store.topics.delete(key, await writeOptions(c, current(key)));
        return c.body(null, 204);
      },
    },
  ];
}

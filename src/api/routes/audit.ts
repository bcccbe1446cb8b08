/** The audit log: every write of the configuration, newest first, with who and the row before and after. */
import { z } from 'zod';
import { MAX_ACTOR_LENGTH, MAX_RESOURCE_NAME_LENGTH } from '../../config/text-limits.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { type Operation, operation } from '../operation.ts';
import { limitParam, sendPage } from '../pagination.ts';
import { auditEntrySchema } from '../resource-schemas.ts';

const auditQuery = z.object({
  resourceType: z.enum(['engine', 'service', 'service-credential', 'topic']).optional(),
  resourceName: z
    .string()
    .min(1)
    .max(MAX_RESOURCE_NAME_LENGTH)
    .optional()
    .describe('e.g. `local`, `local/<topic>`, `<service>/<appId>`'),
  actor: z.string().min(1).max(MAX_ACTOR_LENGTH).optional().describe('e.g. `token:ci`'),
  beforeId: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('the next page: entries older than this id (the Link header\'s rel="next" gives it)'),
  limit: limitParam,
});

export function auditOperations(deps: ApiDependencies): Operation[] {
  return [
    operation({
      method: 'get',
      path: '/audit',
      operationId: 'listAudit',
      tag: 'audit',
      summary: 'List audit entries, newest first',
      description:
        'Secrets appear as `{"set": true}`, or `{"set": true, "changed": true}` where the write replaced one.',
      access: 'viewer',
      query: auditQuery,
      responses: { 200: { description: 'the entries', schema: z.array(auditEntrySchema), link: true } },
      problems: [400],
      handler: async (c, { query }) => {
        const filter = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
        const page = await deps.store.audit.page(filter);
        const last = page.items.at(-1);
        const next = page.more && last !== undefined ? { beforeId: String(last.id) } : undefined;
        return sendPage(c, page.items, next, query.limit);
      },
    }),
  ];
}

/**
 * Engines: the Camunda engines that pollers fetch from (name, REST base URL, auth, worker-id prefix). The auth
 * secret is write-only: reads show `{ "set": true }`, and a PUT may send that back to keep the stored secret.
 * The operations are every resource's (resource-routes.ts).
 */
import { engineInputSchema, engineUpdateSchema } from '../../store/schemas.ts';
import type { ApiDependencies } from '../dependencies.ts';
import type { Operation } from '../operation.ts';
import { engineRecordSchema } from '../resource-schemas.ts';
import { resourceOperations } from './resource-routes.ts';

export function engineOperations(deps: ApiDependencies): Operation[] {
  return resourceOperations({
    collection: 'engines',
    noun: 'engine',
    aNoun: 'an engine',
    recordSchema: engineRecordSchema,
    inputSchema: engineInputSchema,
    updateSchema: engineUpdateSchema,
    repository: deps.store.engines,
    descriptions: {
      create: 'Pollers start polling it within seconds (once a topic names it).',
      update:
        'An auth secret of `{"set": true}` keeps the stored one, unless the `url` moves to another origin (scheme, host, port): then the secret must be sent again (400 naming `auth.<field>`). `name`, `version`, `createdAt`, `updatedAt` are ignored (`name` must match the URL).',
      delete: '409 while topics use it. Its pollers stop within seconds.',
    },
  });
}

/** `zgw-lock-document`: locks a document of the Documenten API; returns the lock id as `lockId`. */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { lockDocument } from './document-lock.ts';

export const zgwLockDocument = defineWorkUnit({
  name: 'zgw-lock-document',
  description:
    'Locks the document `informatieobject` (URL) on the Documenten API; returns the lock id as `lockId` (needed to change or unlock it).',
  input: z.object({ informatieobject: z.url() }),
  output: z.object({ lockId: z.string() }),
  services: ['drc'],
  run: async (context) => {
    const lockId = await lockDocument(ZgwClient.of(context), context.input.informatieobject);
    context.log.info('document locked', { informatieobject: context.input.informatieobject });
    return { lockId };
  },
});

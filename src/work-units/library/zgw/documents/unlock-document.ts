/** `zgw-unlock-document`: unlocks a document of the Documenten API with its lock id. */
import { z } from 'zod';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { unlockDocument } from './document-lock.ts';

export const zgwUnlockDocument = defineWorkUnit({
  name: 'zgw-unlock-document',
  description:
    'Unlocks the document `informatieobject` (URL) with `lockId`; a document that is unlocked already counts as done. Sets no variables.',
  input: z.object({ informatieobject: z.url(), lockId: z.string().min(1) }),
  output: z.object({}),
  services: ['drc'],
  run: async (context) => {
    await unlockDocument(ZgwClient.of(context), context.input.informatieobject, context.input.lockId);
    context.log.info('document unlocked', { informatieobject: context.input.informatieobject });
    return {};
  },
});

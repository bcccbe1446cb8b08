/**
 * `zgw-set-indicatie-gebruiksrecht`: sets `indicatieGebruiksrecht` on every document of a zaak (default false:
 * no use beyond consultation, as BPTL does). Each document is locked, patched and unlocked — unlocked also when
 * the patch fails, so a failed task leaves no document locked. A document with the value already is skipped.
 */
import { z } from 'zod';
import { ensureError } from '../../../../errors.ts';
import { ZgwClient } from '../../../../zgw/zgw-client.ts';
import {
  enkelvoudigInformatieObjectSchema,
  zaakInformatieObjectSchema,
  zaakSchema,
} from '../../../../zgw/zgw-schemas.ts';
import { defineWorkUnit } from '../../../define-work-unit.ts';
import { lockDocument, unlockDocument } from './document-lock.ts';

export const zgwSetIndicatieGebruiksrecht = defineWorkUnit({
  name: 'zgw-set-indicatie-gebruiksrecht',
  description:
    "Sets `indicatieGebruiksrecht` (default false) on every document of the zaak `zaakUrl`, locking and unlocking each (unlocked on failure too); skips documents that have the value. Returns the changed documents' URLs as `updatedInformatieobjecten`.",
  input: z.object({ zaakUrl: z.url(), indicatieGebruiksrecht: z.boolean().default(false) }),
  output: z.object({ updatedInformatieobjecten: z.array(z.string()) }),
  services: ['zrc', 'drc'],
  run: async (context) => {
    const { zaakUrl, indicatieGebruiksrecht } = context.input;
    const zgw = ZgwClient.of(context);
    // A zaak that is not there fails naming its URL (a list filtered on it would be empty: a silent no-op).
    await zgw.get(zaakUrl, zaakSchema);
    const relations = await zgw.list(
      { api: 'zaken', path: '/zaakinformatieobjecten' },
      zaakInformatieObjectSchema,
      {
        zaak: zaakUrl,
      },
    );
    const documentUrls = [...new Set(relations.map((relation) => relation.informatieobject))];
    const updated: string[] = [];
    for (const url of documentUrls) {
      const document = await zgw.get(url, enkelvoudigInformatieObjectSchema);
      if (document.indicatieGebruiksrecht === indicatieGebruiksrecht) continue;
      const lock = await lockDocument(zgw, url);
      let failure: Error | undefined;
      try {
        await zgw.patch(url, { indicatieGebruiksrecht, lock }, enkelvoudigInformatieObjectSchema);
      } catch (thrown) {
        failure = ensureError(thrown);
      }
      try {
        await unlockDocument(zgw, url, lock);
      } catch (thrown) {
        if (!failure) throw thrown;
        // The patch's failure is the one to report (its type decides the retry); the lock is said in the log.
        context.log.warn('unlocking the document after a failed change failed too: it stays locked', {
          informatieobject: url,
          error: ensureError(thrown).message,
        });
      }
      if (failure) throw failure;
      updated.push(url);
    }
    context.log.info('indicatieGebruiksrecht set', {
      zaakUrl,
      documents: documentUrls.length,
      updated: updated.length,
    });
    return { updatedInformatieobjecten: updated };
  },
});

/**
 * Locking and unlocking a document of the Documenten API (`POST {document}/lock` → `{ lock }`,
 * `POST {document}/unlock` with `{ lock }` → 204), shared by the lock, unlock and gebruiksrecht units.
 */
import { z } from 'zod';
import { NonRetryableError } from '../../../../errors.ts';
import type { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { enkelvoudigInformatieObjectSchema } from '../../../../zgw/zgw-schemas.ts';

const lockAnswerSchema = z.looseObject({ lock: z.string().min(1) });

/** The URL of an action of a document (`…/enkelvoudiginformatieobjecten/{uuid}/lock`). */
function actionUrl(documentUrl: string, action: 'lock' | 'unlock'): string {
  return `${documentUrl.replace(/\/+$/, '')}/${action}`;
}

/** Locks a document; resolves to the lock id, which every change and the unlock need. */
export async function lockDocument(zgw: ZgwClient, documentUrl: string): Promise<string> {
  const answer = lockAnswerSchema.safeParse(await zgw.action(actionUrl(documentUrl, 'lock'), {}));
  if (!answer.success) {
    throw new NonRetryableError(`locking document ${documentUrl}: the answer holds no lock id`);
  }
  return answer.data.lock;
}

/**
 * Unlocks a document with its lock id. When the server refuses, the document is read: one that is unlocked
 * already (an earlier attempt's unlock whose answer was lost) counts as done; otherwise the refusal is thrown.
 */
export async function unlockDocument(zgw: ZgwClient, documentUrl: string, lockId: string): Promise<void> {
  try {
    await zgw.action(actionUrl(documentUrl, 'unlock'), { lock: lockId });
  } catch (refusal) {
    const document = await zgw.getOrNull(documentUrl, enkelvoudigInformatieObjectSchema).catch(() => null);
    if (document && document.locked === false) return;
    throw refusal;
  }
}

/**
 * Locking and unlocking a document of the Documenten API (`POST {document}/lock` → `{ lock }`,
 * `POST {document}/unlock` with `{ lock }` → 204), shared by the lock, unlock and gebruiksrecht units.
 */
import { z } from 'zod';
import { NonRetryableError } from '../../../../errors.ts';
import type { ZgwClient } from '../../../../zgw/zgw-client.ts';
import { ZgwValidationError } from '../../../../zgw/zgw-errors.ts';
import { enkelvoudigInformatieObjectSchema } from '../../../../zgw/zgw-schemas.ts';

const lockAnswerSchema = z.looseObject({ lock: z.string().min(1) });

/** The URL of an action of a document (`…/enkelvoudiginformatieobjecten/{uuid}/lock`). */
function actionUrl(documentUrl: string, action: 'lock' | 'unlock'): string {
  return `${documentUrl.replace(/\/+$/, '')}/${action}`;
}

/**
 * Locks a document; resolves to the lock id, which every change and the unlock need. A document locked already
 * (code `existing-lock`) is a NonRetryableError saying so: its lock id cannot be read back, so neither another
 * task nor a repeated attempt (whose first lock's answer was lost) can go on.
 */
export async function lockDocument(zgw: ZgwClient, documentUrl: string): Promise<string> {
  let locked: unknown;
  try {
    locked = await zgw.action(actionUrl(documentUrl, 'lock'), {});
  } catch (error) {
    if (error instanceof ZgwValidationError && error.invalidParams.some((p) => p.code === 'existing-lock')) {
      throw new NonRetryableError(
        `document ${documentUrl} is locked already (by another task, or by an earlier attempt whose answer was lost); its lock id cannot be read back: it must be unlocked with it, or force-unlocked by an administrator`,
        { cause: error },
      );
    }
    throw error;
  }
  const answer = lockAnswerSchema.safeParse(locked);
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

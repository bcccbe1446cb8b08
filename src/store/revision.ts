/**
 * The configuration revision: one counter, bumped by every write transaction of the store (first thing in the
 * transaction, so writes are numbered in commit order). Pollers read it every second or two — one primary-key
 * lookup — and reload engines and topics when it moved; `watchRevision` is that loop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureError } from '../errors.ts';
import type { Queryable, Transaction } from './database.ts';

/** The current revision: 0 for a store that was never written. */
export async function currentRevision(db: Queryable): Promise<number> {
  const [row] = await db.query<{ revision: number }>('SELECT revision FROM config_revision');
  if (!row) throw new Error('the configuration database has no config_revision row: was it migrated?');
  return row.revision;
}

/**
 * Bumps the revision inside a write transaction and returns the new value. The row lock it takes also
 * serialises concurrent writers until they commit.
 */
export async function bumpRevision(tx: Transaction): Promise<number> {
  const [row] = await tx.query<{ revision: number }>(
    'UPDATE config_revision SET revision = revision + 1, changed_at = now() RETURNING revision',
  );
  if (!row) throw new Error('the configuration database has no config_revision row: was it migrated?');
  return row.revision;
}

export interface WatchRevisionOptions {
  /** Reads the revision (e.g. `store.revision`). */
  read: () => Promise<number>;
  /** The revision the caller's configuration is at; a different one is a change. */
  since: number;
  /** Called with each new revision (awaited before the next read; when it throws, called again next time). */
  onChange: (revision: number) => void | Promise<void>;
  /** Called when a read (or onChange) fails; the loop goes on. */
  onError?: (error: Error) => void;
  /** Time between reads. @default 1000 */
  intervalMs?: number;
  /** Stops the loop; the returned promise then resolves. */
  signal: AbortSignal;
}

/** Polls the revision until `signal` aborts, calling `onChange` whenever it differs from the last one seen. */
export async function watchRevision(options: WatchRevisionOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 1_000;
  let seen = options.since;
  while (!options.signal.aborted) {
    try {
      await sleep(intervalMs, undefined, { signal: options.signal });
    } catch {
      return; // aborted
    }
    try {
      const revision = await options.read();
      if (revision !== seen) {
        await options.onChange(revision);
        // Only once handled: an onChange that fails (the snapshot could not be read) is tried again next time.
        seen = revision;
      }
    } catch (error) {
      options.onError?.(ensureError(error));
    }
  }
}

/**
 * Optimistic concurrency over HTTP. A resource's ETag is its row's `version` as a strong entity tag (`"3"`).
 * PUT and DELETE take an optional If-Match: when present, the write succeeds only while the row is still at
 * that version (else 412, with the current version); when absent, the write is unconditional; when empty, 400.
 */
import type { Context } from 'hono';
import { type ApiEnv, actorOf } from './auth.ts';
import { ApiProblem } from './problem.ts';

/** The ETag of a row at `version`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version a write must find, from If-Match: undefined when there is no If-Match or it is `*`. A list of
 * tags is allowed; when it names several versions, `current` is asked for the row's version. A header that can
 * match no version (only weak tags, which never match for a write, or tags that are not ours) answers 412.
 */
export async function expectedVersion(
  c: Context,
  current: () => Promise<number | undefined>,
): Promise<number | undefined> {
  const header = c.req.header('if-match');
  if (header === undefined) return undefined;
  const tags = header
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (tags.length === 0) {
    // An empty header is a client's mistake (a template with no ETag filled in), not a version that differs.
    const message = 'is empty: send the ETag of a GET, e.g. If-Match: "3", or leave the header out';
    throw new ApiProblem(400, `If-Match ${message}`, {
      extensions: { issues: [{ path: ['If-Match'], field: 'If-Match', message, code: 'custom' }] },
    });
  }
  if (tags.includes('*')) return undefined;
  const versions = [
    ...new Set(
      tags.flatMap((tag) => {
        const match = /^"([1-9][0-9]{0,14})"$/.exec(tag);
        return match ? [Number(match[1])] : [];
      }),
    ),
  ];
  if (versions.length === 1) return versions[0];
  const now = versions.length === 0 ? undefined : await current();
  if (now !== undefined && versions.includes(now)) return now;
  throw new ApiProblem(
    412,
    versions.length === 0
      ? `If-Match ${JSON.stringify(header)} names no version of this resource: send the ETag of a GET, e.g. If-Match: "3"`
      : `the resource is at version ${now ?? '(none)'}, not ${versions.join(' or ')}`,
    now === undefined ? {} : { extensions: { currentVersion: now }, headers: { etag: etagOf(now) } },
  );
}

/** Answers `record` (a row the store read or wrote) with its ETag. */
export function withEtag(c: Context, record: { version: number }): Response {
  c.header('etag', etagOf(record.version));
  return c.json(record);
}

/** A PUT's or DELETE's write options: the acting principal, and the version If-Match names (`current` reads it). */
export async function writeOptions(
  c: Context<ApiEnv>,
  current: () => Promise<number | undefined>,
): Promise<{ actor: string; expectedVersion: number | undefined }> {
  return { actor: actorOf(c.get('principal')), expectedVersion: await expectedVersion(c, current) };
}

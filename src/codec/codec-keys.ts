/**
 * The keys of the payload codec (aes-gcm-codec.ts): BPTL_CODEC_KEYS, a comma-separated list of `id:key` (the key
 * 32 bytes, base64 or 64 hex digits). The first key encrypts; every listed key decrypts the payloads that name its
 * id, so a rotation puts the new key first and keeps the old ones behind it until no workflow needs them.
 *
 * Without BPTL_CODEC_KEYS, one key is derived with HKDF-SHA256 from the store's BPTL_SECRET_KEY (and one from each
 * key in BPTL_SECRET_KEY_PREVIOUS, for decrypting only), with the stable id `secret-<key id of the secret key>`;
 * `bptl dev` derives it from the published development key (BPTL_DEV_INSECURE_SECRET_KEY=1). Without any of
 * them there is no key: payloads are written in plain text, and an encrypted one cannot be read.
 *
 * A key's bytes are behind a getter, so that logging or printing the environment never shows them.
 */
import { hkdfSync } from 'node:crypto';

export const CODEC_KEYS_VARIABLE = 'BPTL_CODEC_KEYS';

/** One key of the codec: its id (stored in each payload it encrypts) and its 32 bytes. */
export class CodecKey {
  readonly id: string;
  readonly #key: Buffer;
  constructor(id: string, key: Buffer) {
    if (key.length !== 32) throw new Error(`codec key '${id}' must be 32 bytes, not ${key.length}`);
    this.id = id;
    this.#key = key;
  }
  get key(): Buffer {
    return this.#key;
  }
  toJSON(): { id: string } {
    return { id: this.id };
  }
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A 32-byte key as 64 hex digits or base64 (standard or URL-safe); undefined when it is not one. */
function parseKeyBytes(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

/**
 * Parses BPTL_CODEC_KEYS (`id1:key1,id2:key2`). Resolves to the keys, current first, or to a message saying
 * which entry is wrong (never showing a key).
 */
export function parseCodecKeys(value: string): { keys: CodecKey[] } | { error: string } {
  const keys: CodecKey[] = [];
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!ID.test(id)) {
      return {
        error: `entry ${i + 1}: write id:key, the id 1-64 letters, digits, . _ - (got ${colon < 0 ? 'no id' : `'${id.slice(0, 64)}'`})`,
      };
    }
    const key = parseKeyBytes(entry.slice(colon + 1).trim());
    if (!key) {
      return {
        error:
          `key '${id}' must be 32 bytes, as base64 (44 characters) or 64 hex digits; make one with: ` +
          `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`,
      };
    }
    if (keys.some((k) => k.id === id)) return { error: `key id '${id}' is listed twice` };
    keys.push(new CodecKey(id, key));
  }
  return { keys };
}

/** The codec key derived from a secret key of the store (HKDF-SHA256), with the id `secret-<secretKeyId>`. */
export function deriveCodecKey(secretKey: Buffer, secretKeyId: string): CodecKey {
  const key = Buffer.from(
    hkdfSync('sha256', secretKey, 'bptl payload codec', 'bptl temporal payload codec v1 aes-256-gcm', 32),
  );
  return new CodecKey(`secret-${secretKeyId}`, key);
}

/** What a long-running command logs at start when it has no codec key (payloads go to Temporal in plain text). */
export const NO_CODEC_KEY_WARNING =
  'no payload codec key: process data is stored in plain text in Temporal; set BPTL_SECRET_KEY or ' +
  'BPTL_CODEC_KEYS (see docs/operations.md, "Process data in Temporal")';

/** The warning for a process with these codec keys: NO_CODEC_KEY_WARNING when there is none, else undefined. */
export function codecKeyWarning(keys: readonly CodecKey[]): string | undefined {
  return keys.length === 0 ? NO_CODEC_KEY_WARNING : undefined;
}

/** Logs the warning of `codecKeyWarning` once, at warn, when there is one. */
export function warnWhenNoCodecKey(log: { warn(message: string): void }, keys: readonly CodecKey[]): void {
  const warning = codecKeyWarning(keys);
  if (warning) log.warn(warning);
}

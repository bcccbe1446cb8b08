/**
 * Encryption of the secrets in the configuration store (passwords, tokens, API keys), with AES-256-GCM and the
 * key in BPTL_SECRET_KEY. A stored secret is `{ "$enc": "v2:<key id>:<iv>:<tag>:<ciphertext>" }` (base64url
 * parts); the key id (8 hex digits of a hash of the key, not the key) lets a wrong or rotated key be named in the
 * error instead of decrypting to garbage, and lets old keys in BPTL_SECRET_KEY_PREVIOUS still decrypt after a
 * rotation.
 *
 * v2 binds the ciphertext to its row and field (GCM associated data, secret-location.ts): copied into another
 * row or field, it does not decrypt. v1 (the format before, without associated data) still decrypts, and counts
 * as stale: `bptl secrets rotate` (or `reencryptSecrets`) writes it again as v2.
 *
 * BPTL_DEV_INSECURE_SECRET_KEY=1 (for `bptl dev`) uses a fixed, published key when BPTL_SECRET_KEY is unset:
 * fine for a laptop, worthless as protection. Never set it in production.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.ts';
import { SecretKeyError } from './errors.ts';
import { associatedData, describeLocation, type SecretLocation } from './secret-location.ts';

export const SECRET_KEY_VARIABLE = 'BPTL_SECRET_KEY';
export const PREVIOUS_SECRET_KEYS_VARIABLE = 'BPTL_SECRET_KEY_PREVIOUS';
export const DEV_INSECURE_KEY_VARIABLE = 'BPTL_DEV_INSECURE_SECRET_KEY';

/** A secret as stored in a JSONB column. */
export interface EncryptedSecret {
  $enc: string;
}

export interface SecretCipher {
  /** Id of the key new secrets are encrypted with. */
  readonly keyId: string;
  /** True when the key is the published development key (BPTL_DEV_INSECURE_SECRET_KEY=1). */
  readonly insecure: boolean;
  /** Encrypts (v2) for the secret at `location`: it decrypts there only. */
  encrypt(plaintext: string, location: SecretLocation): EncryptedSecret;
  /**
   * Decrypts the secret read from `location` (which also names it in errors, e.g. `engine 'local'
   * auth.password`). Throws SecretKeyError: another key, a value damaged or altered, or one encrypted for
   * another location.
   */
  decrypt(secret: EncryptedSecret, location: SecretLocation): string;
  /**
   * Why the secret should be encrypted again: it was encrypted with an older key (BPTL_SECRET_KEY_PREVIOUS, or
   * a key this cipher does not have), or as v1 (not bound to its row and field). Undefined when it is current.
   */
  staleReason(secret: EncryptedSecret): string | undefined;
  /** True when `staleReason` gives a reason. */
  isStale(secret: EncryptedSecret): boolean;
}

/** The format written; v1 (no associated data) is still read. */
const VERSION = 'v2';
const UNBOUND_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The development key: derived from a published phrase, so it protects nothing. */
export const DEV_INSECURE_KEY = createHash('sha256')
  .update('bptl dev insecure secret key, never use in production')
  .digest();

/** True when `value` is a stored secret. */
export function isEncryptedSecret(value: unknown): value is EncryptedSecret {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $enc?: unknown }).$enc === 'string' &&
    Object.keys(value).length === 1
  );
}

/** A new random key, as BPTL_SECRET_KEY takes it (base64). */
export function generateSecretKey(): string {
  return randomBytes(32).toString('base64');
}

/** The 8-hex-digit id of a key, stored with each secret. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('bptl secret key id\0').update(key).digest('hex').slice(0, 8);
}

/** Parses a 32-byte key given as 64 hex digits or as base64 (standard or URL-safe); throws ConfigError naming `variable`. */
export function parseSecretKey(value: string, variable = SECRET_KEY_VARIABLE): Buffer {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new ConfigError(
    `${variable} must be a 32-byte key, as 64 hex digits or as base64 (44 characters); ` +
      `make one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`,
  );
}

/**
 * The cipher from the environment: BPTL_SECRET_KEY (required), BPTL_SECRET_KEY_PREVIOUS (optional, comma-
 * separated older keys that can still decrypt), or the development key when BPTL_DEV_INSECURE_SECRET_KEY=1 and
 * BPTL_SECRET_KEY is unset. Throws ConfigError naming the variable when the key is missing or malformed.
 */
export function loadSecretCipher(
  env: Readonly<Record<string, string | undefined>> = process.env,
): SecretCipher {
  const previous = (env[PREVIOUS_SECRET_KEYS_VARIABLE] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => parseSecretKey(part, PREVIOUS_SECRET_KEYS_VARIABLE));
  const value = env[SECRET_KEY_VARIABLE];
  if (value !== undefined && value.trim() !== '') {
    return createSecretCipher(parseSecretKey(value), { previousKeys: previous });
  }
  if (env[DEV_INSECURE_KEY_VARIABLE] === '1') {
    return createSecretCipher(DEV_INSECURE_KEY, { previousKeys: previous, insecure: true });
  }
  throw new ConfigError(
    `${SECRET_KEY_VARIABLE} is not set: the configuration store encrypts credentials with it. Set it to a ` +
      `32-byte key (base64 or 64 hex digits), e.g. the output of ` +
      `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))", and keep it safe: ` +
      'without it the stored credentials cannot be read.',
  );
}

export interface SecretCipherOptions {
  /** Older keys that can still decrypt (after a rotation). */
  previousKeys?: readonly Buffer[];
  /** Marks the development key. */
  insecure?: boolean;
}

export function createSecretCipher(key: Buffer, options: SecretCipherOptions = {}): SecretCipher {
  if (key.length !== 32) throw new ConfigError(`${SECRET_KEY_VARIABLE} must be 32 bytes, not ${key.length}`);
  const keyId = keyIdOf(key);
  const keys = new Map<string, Buffer>([[keyId, key]]);
  for (const old of options.previousKeys ?? []) keys.set(keyIdOf(old), old);

  const describeKeys = () =>
    `${SECRET_KEY_VARIABLE} is key ${keyId}` +
    (keys.size > 1 ? `, ${PREVIOUS_SECRET_KEYS_VARIABLE} has ${[...keys.keys()].slice(1).join(', ')}` : '');

  const staleReason = (secret: EncryptedSecret): string | undefined => {
    const [version, id] = secret.$enc.split(':');
    const reasons = [
      ...(id !== keyId
        ? [`encrypted with ${keys.has(id ?? '') ? 'the older' : 'an unknown'} key ${id}`]
        : []),
      ...(version !== VERSION ? [`format ${version}, not bound to its row and field`] : []),
    ];
    return reasons.length > 0 ? reasons.join('; ') : undefined;
  };

  return {
    keyId,
    insecure: options.insecure === true,
    encrypt(plaintext, location) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associatedData(location));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return { $enc: [VERSION, keyId, b64(iv), b64(tag), b64(ciphertext)].join(':') };
    },
    decrypt(secret, location) {
      const what = describeLocation(location);
      const parts = secret.$enc.split(':');
      const [version, id, iv, tag, ciphertext] = parts;
      const bound = version === VERSION;
      if (
        parts.length !== 5 ||
        (!bound && version !== UNBOUND_VERSION) ||
        !id ||
        !iv ||
        !tag ||
        ciphertext === undefined
      ) {
        throw new SecretKeyError(
          `cannot decrypt ${what}: the stored value is not an encrypted secret of this BPTL`,
        );
      }
      const usable = keys.get(id);
      if (!usable) {
        throw new SecretKeyError(
          `cannot decrypt ${what}: it was encrypted with key ${id}, but ${describeKeys()}. ` +
            `Set ${SECRET_KEY_VARIABLE} to the key it was written with (after a rotation, put the old key in ` +
            `${PREVIOUS_SECRET_KEYS_VARIABLE}), or enter the secret again.`,
        );
      }
      try {
        // The tag's length is fixed: without authTagLength, GCM accepts a tag cut to 4 bytes and checks only those.
        const decipher = createDecipheriv('aes-256-gcm', usable, unb64(iv), { authTagLength: TAG_BYTES });
        decipher.setAuthTag(unb64(tag));
        if (bound) decipher.setAAD(associatedData(location));
        return Buffer.concat([decipher.update(unb64(ciphertext)), decipher.final()]).toString('utf8');
      } catch (error) {
        const tagBytes = unb64(tag).length;
        const tagNote = tagBytes !== TAG_BYTES ? ' (its tag is not 16 bytes)' : '';
        // GCM cannot tell a value encrypted for another row from a damaged one: both fail the tag.
        throw new SecretKeyError(
          `cannot decrypt ${what} with key ${id} (${describeKeys()}): ` +
            (bound
              ? 'the stored value was not encrypted for this row and field (was it copied from another one?), ' +
                `or it is damaged or was altered${tagNote}`
              : `the stored value is damaged or was altered${tagNote}`) +
            '; enter the secret again',
          { cause: error },
        );
      }
    },
    staleReason,
    isStale: (secret) => staleReason(secret) !== undefined,
  };
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function unb64(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

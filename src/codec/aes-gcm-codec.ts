/**
 * The payload codec of BPTL: every payload that Temporal stores (workflow input with the task's process
 * variables, activity inputs and results, memos, failures' details) is encrypted with AES-256-GCM before it
 * leaves the process, and decrypted when it comes back. An encrypted payload has the metadata
 * `encoding: binary/encrypted` and `encryption-key-id: <id>`, and its data is IV (12 random bytes) ‖ ciphertext ‖
 * tag (16 bytes), the plaintext being the whole original payload (metadata and data), proto-encoded. The key id is
 * authenticated too (as additional data), so a payload cannot be made to name another key.
 *
 * Encoding uses the first key; decoding uses the key the payload names (codec-keys.ts: rotation). A payload
 * without the encrypted encoding is passed through, so that histories written before the codec still replay
 * and show. Without keys, encoding passes payloads through (plain text) and decoding an encrypted one fails.
 *
 * Codecs run outside the workflow sandbox (in the client and around the worker), so node:crypto is fine here; the
 * workflow bundle must never import this file.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { PayloadDecryptError, UnknownCodecKeyError } from './codec-errors.ts';
import type { CodecKey } from './codec-keys.ts';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const ENCODING_METADATA_KEY = 'encoding';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PayloadMessage = proto.temporal.api.common.v1.Payload;
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) =>
  bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : undefined;

/** True when the payload is one that this codec encrypted. */
export function isEncryptedPayload(payload: Payload): boolean {
  return text(payload.metadata?.[ENCODING_METADATA_KEY]) === ENCRYPTED_ENCODING;
}

export class AesGcmCodec implements PayloadCodec {
  readonly #current: CodecKey | undefined;
  readonly #keys: ReadonlyMap<string, CodecKey>;

  /** `keys`: the current key first, then older ones that still decrypt. */
  constructor(keys: readonly CodecKey[]) {
    this.#current = keys[0];
    this.#keys = new Map(keys.map((k) => [k.id, k]));
  }

  /** The id of the key new payloads are encrypted with; undefined when there is none (plain payloads). */
  get currentKeyId(): string | undefined {
    return this.#current?.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encodeOne(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  encodeOne(payload: Payload): Payload {
    const current = this.#current;
    if (!current) return payload;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(utf8(current.id));
    const plaintext = PayloadMessage.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [ENCODING_METADATA_KEY]: utf8(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA_KEY]: utf8(current.id),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  decodeOne(payload: Payload): Payload {
    if (!isEncryptedPayload(payload)) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA_KEY]) ?? '';
    const key = this.#keys.get(keyId);
    if (!key) throw new UnknownCodecKeyError(keyId, [...this.#keys.keys()]);
    const data = payload.data ?? new Uint8Array();
    if (data.byteLength < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptError(keyId, `its data has ${data.byteLength} bytes, too few for IV and tag`);
    }
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(utf8(keyId));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      plaintext = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (error) {
      throw new PayloadDecryptError(
        keyId,
        'it was altered, or the key with this id is not the one it was written with',
        {
          cause: error,
        },
      );
    }
    const decoded = PayloadMessage.decode(plaintext);
    return { metadata: { ...decoded.metadata }, data: decoded.data };
  }
}

/** The codec for `keys` (current first). */
export function createAesGcmCodec(keys: readonly CodecKey[]): AesGcmCodec {
  return new AesGcmCodec(keys);
}

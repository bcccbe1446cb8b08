import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createAesGcmCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA_KEY } from '../../src/codec/aes-gcm-codec.ts';
import { PayloadDecryptError, UnknownCodecKeyError } from '../../src/codec/codec-errors.ts';
import { CodecKey, parseCodecKeys } from '../../src/codec/codec-keys.ts';
import { loadEnv } from '../../src/config/env.ts';

const key = (id: string) => new CodecKey(id, randomBytes(32));
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const SECRET = 'Top-Secret-Variable-Value-4711';
const payload = (): Payload => defaultPayloadConverter.toPayload({ customer: SECRET, amount: 12 });

describe('AesGcmCodec', () => {
  it('round trips, and the encoded payload holds neither the value nor the original metadata', async () => {
    const codec = createAesGcmCodec([key('k1')]);
    const original = payload();
    const [encoded] = await codec.encode([original]);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA_KEY])).toBe('k1');
    expect(Object.keys(encoded!.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(Buffer.from(encoded!.data!).includes(SECRET)).toBe(false);
    expect(Buffer.from(encoded!.data!).includes('json/plain')).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ customer: SECRET, amount: 12 });
  });

  it('uses a random IV per payload', async () => {
    const codec = createAesGcmCodec([key('k1')]);
    const [a, b] = await codec.encode([payload(), payload()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('rotates: encrypts with the first key, decrypts with whichever key the payload names', async () => {
    const old = key('old');
    const current = key('new');
    const [byOld] = await createAesGcmCodec([old]).encode([payload()]);
    const rotated = createAesGcmCodec([current, old]);
    const [byNew] = await rotated.encode([payload()]);
    expect(text(byNew!.metadata![KEY_ID_METADATA_KEY])).toBe('new');
    const decoded = await rotated.decode([byOld!, byNew!]);
    for (const p of decoded)
      expect(defaultPayloadConverter.fromPayload(p)).toEqual({ customer: SECRET, amount: 12 });
  });

  it('detects tampering with the ciphertext or the key id', async () => {
    const k = key('k1');
    const codec = createAesGcmCodec([k, new CodecKey('k2', k.key)]);
    const [encoded] = await codec.encode([payload()]);
    const data = Buffer.from(encoded!.data!);
    data[20]! ^= 1;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toBeInstanceOf(PayloadDecryptError);
    const renamed = {
      ...encoded!,
      metadata: { ...encoded!.metadata, [KEY_ID_METADATA_KEY]: Buffer.from('k2') },
    };
    await expect(codec.decode([renamed])).rejects.toBeInstanceOf(PayloadDecryptError);
    await expect(codec.decode([{ ...encoded!, data: data.subarray(0, 10) }])).rejects.toThrow(/too few/);
  });

  it('names an unknown key id in a typed error', async () => {
    const [encoded] = await createAesGcmCodec([key('gone')]).encode([payload()]);
    const error = await createAesGcmCodec([key('k1')])
      .decode([encoded!])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownCodecKeyError);
    expect((error as UnknownCodecKeyError).keyId).toBe('gone');
    expect((error as Error).message).toContain("'gone'");
  });

  it('passes plain payloads through decode (histories from before the codec)', async () => {
    const plain = payload();
    const [decoded] = await createAesGcmCodec([key('k1')]).decode([plain]);
    expect(decoded).toBe(plain);
  });

  it('without keys leaves payloads in plain text', async () => {
    const plain = payload();
    const [encoded] = await createAesGcmCodec([]).encode([plain]);
    expect(encoded).toBe(plain);
  });
});

describe('codec keys from the environment', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('parses BPTL_CODEC_KEYS, current first', () => {
    const env = loadEnv({ BPTL_CODEC_KEYS: `new:${b64()}, old:${randomBytes(32).toString('hex')}` });
    expect(env.codecKeys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(JSON.stringify(env.codecKeys)).toBe('[{"id":"new"},{"id":"old"}]');
  });

  it('names the variable for a bad key, and never shows it', () => {
    expect(() => loadEnv({ BPTL_CODEC_KEYS: 'k1:c2hvcnQ=' })).toThrow(
      /BPTL_CODEC_KEYS[\s\S]*'k1' must be 32 bytes/,
    );
    expect(() => loadEnv({ BPTL_CODEC_KEYS: 'k1:c2hvcnQ=' })).not.toThrow(/c2hvcnQ/);
    expect('error' in parseCodecKeys(`a:${b64()},a:${b64()}`)).toBe(true);
    expect('error' in parseCodecKeys(b64())).toBe(true);
  });

  it('derives a stable key from BPTL_SECRET_KEY when no codec keys are given', () => {
    const secret = b64();
    const a = loadEnv({ BPTL_SECRET_KEY: secret }).codecKeys;
    const b = loadEnv({ BPTL_SECRET_KEY: secret }).codecKeys;
    expect(a).toHaveLength(1);
    expect(a[0]!.id).toMatch(/^secret-[0-9a-f]{8}$/);
    expect(a[0]!.id).toBe(b[0]!.id);
    expect(a[0]!.key.equals(b[0]!.key)).toBe(true);
    expect(a[0]!.key.equals(Buffer.from(secret, 'base64'))).toBe(false);
    expect(loadEnv({ BPTL_DEV_INSECURE_SECRET_KEY: '1' }).codecKeys).toHaveLength(1);
    expect(loadEnv({}).codecKeys).toEqual([]);
  });
});

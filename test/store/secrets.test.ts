import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { createConfigStore } from '../../src/store/config-store.ts';
import { SecretKeyError } from '../../src/store/errors.ts';
import {
  createSecretCipher,
  generateSecretKey,
  keyIdOf,
  loadSecretCipher,
  parseSecretKey,
} from '../../src/store/secret-cipher.ts';
import { serviceInput } from '../support/store-inputs.ts';
import { describeStores, openTestDatabase, uniqueName } from './stores.ts';

describe('the secret key', () => {
  const key = randomBytes(32);

  it('is read as 64 hex digits or as base64 (standard or URL-safe)', () => {
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
    expect(parseSecretKey(generateSecretKey())).toHaveLength(32);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['not hex nor base64', 'x'.repeat(64).replace(/x/g, '!')],
    ['a passphrase', 'correct horse battery staple'],
  ])('refuses a key that is %s with a ConfigError naming BPTL_SECRET_KEY', (_, value) => {
    expect(() => loadSecretCipher({ BPTL_SECRET_KEY: value })).toThrow(ConfigError);
    expect(() => loadSecretCipher({ BPTL_SECRET_KEY: value })).toThrow(
      /BPTL_SECRET_KEY must be a 32-byte key/,
    );
  });

  it('is required, unless the development key is asked for explicitly', () => {
    expect(() => loadSecretCipher({})).toThrow(/BPTL_SECRET_KEY is not set/);
    expect(() => loadSecretCipher({ BPTL_DEV_INSECURE_SECRET_KEY: 'true' })).toThrow(ConfigError);
    const dev = loadSecretCipher({ BPTL_DEV_INSECURE_SECRET_KEY: '1' });
    expect(dev.insecure).toBe(true);
    // The development key is the same everywhere (it is published), so a dev database survives restarts.
    expect(loadSecretCipher({ BPTL_DEV_INSECURE_SECRET_KEY: '1' }).keyId).toBe(dev.keyId);
    // A real key wins over the flag.
    const real = loadSecretCipher({
      BPTL_SECRET_KEY: key.toString('hex'),
      BPTL_DEV_INSECURE_SECRET_KEY: '1',
    });
    expect(real.insecure).toBe(false);
    expect(real.keyId).toBe(keyIdOf(key));
  });

  it('encrypts with a fresh IV each time and decrypts what it encrypted', () => {
    const cipher = createSecretCipher(key);
    const a = cipher.encrypt('hunter2');
    const b = cipher.encrypt('hunter2');
    expect(a.$enc).not.toBe(b.$enc);
    expect(a.$enc).toMatch(new RegExp(`^v1:${keyIdOf(key)}:[\\w-]+:[\\w-]+:[\\w-]+$`));
    expect(cipher.decrypt(a, 'x')).toBe('hunter2');
    expect(cipher.decrypt(cipher.encrypt(''), 'x')).toBe('');
    expect(cipher.decrypt(cipher.encrypt('ünïcødé ✓'), 'x')).toBe('ünïcødé ✓');
  });

  it('refuses a stored value whose tag was cut short (GCM checks only the bytes it is given)', () => {
    const cipher = createSecretCipher(key);
    const [version, id, iv, tag, ciphertext] = cipher.encrypt('hunter2').$enc.split(':');
    for (const bytes of [4, 8, 12, 15]) {
      const short = Buffer.from(tag!, 'base64url').subarray(0, bytes).toString('base64url');
      const cut = { $enc: [version, id, iv, short, ciphertext].join(':') };
      expect(() => cipher.decrypt(cut, 'x'), `a ${bytes}-byte tag`).toThrow(SecretKeyError);
      expect(() => cipher.decrypt(cut, 'x')).toThrow(/its tag is not 16 bytes/);
    }
  });

  it('names the variable and both keys when the key is another one, instead of returning garbage', () => {
    const stored = createSecretCipher(key).encrypt('hunter2');
    const other = createSecretCipher(randomBytes(32));
    const error = (() => {
      try {
        other.decrypt(stored, "engine 'local' auth.password");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(SecretKeyError);
    expect(error!.message).toContain("cannot decrypt engine 'local' auth.password");
    expect(error!.message).toContain(`encrypted with key ${keyIdOf(key)}`);
    expect(error!.message).toContain(`BPTL_SECRET_KEY is key ${other.keyId}`);
    expect(error!.message).toContain('BPTL_SECRET_KEY_PREVIOUS');
  });

  it('detects a stored value that was altered', () => {
    const cipher = createSecretCipher(key);
    const parts = cipher.encrypt('hunter2').$enc.split(':');
    const ciphertext = Buffer.from(parts[4]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 1;
    parts[4] = ciphertext.toString('base64url');
    expect(() => cipher.decrypt({ $enc: parts.join(':') }, 'x')).toThrow(/damaged or was altered/);
    expect(() => cipher.decrypt({ $enc: 'plain text' }, 'x')).toThrow(SecretKeyError);
  });

  it('decrypts with an older key from BPTL_SECRET_KEY_PREVIOUS after a rotation', () => {
    const old = randomBytes(32);
    const stored = createSecretCipher(old).encrypt('hunter2');
    const rotated = loadSecretCipher({
      BPTL_SECRET_KEY: key.toString('base64'),
      BPTL_SECRET_KEY_PREVIOUS: `${randomBytes(32).toString('hex')}, ${old.toString('base64')}`,
    });
    expect(rotated.decrypt(stored, 'x')).toBe('hunter2');
    expect(rotated.isStale(stored)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('y'))).toBe(false);
    expect(() =>
      loadSecretCipher({ BPTL_SECRET_KEY: key.toString('hex'), BPTL_SECRET_KEY_PREVIOUS: 'nope' }),
    ).toThrow(/BPTL_SECRET_KEY_PREVIOUS must be/);
  });
});

describeStores('secrets in the store', (ctx) => {
  it('refuses to resolve with the wrong key, naming BPTL_SECRET_KEY; redacted reads still work', async () => {
    const { store, withCipher } = ctx();
    const name = uniqueName('wrong-key');
    await store.engines.create(
      {
        name,
        url: 'http://127.0.0.1:8080/engine-rest',
        auth: { type: 'basic', username: 'u', password: 'pw' },
      },
      { actor: 'a' },
    );
    await store.services.create(
      serviceInput({ name, baseUrl: 'https://x.example.nl', auth: { type: 'bearer', token: 'tok' } }),
      { actor: 'a' },
    );
    const wrong = withCipher(createSecretCipher(randomBytes(32)));
    await expect(wrong.engines.resolve(name)).rejects.toThrow(SecretKeyError);
    await expect(wrong.engines.resolve(name)).rejects.toThrow(
      new RegExp(`cannot decrypt engine '${name}' auth\\.password: .*BPTL_SECRET_KEY is key`),
    );
    await expect(wrong.services.credentialsFor(name)).rejects.toThrow(/BPTL_SECRET_KEY/);
    expect((await wrong.engines.get(name))?.auth).toEqual({
      type: 'basic',
      username: 'u',
      password: { set: true },
    });
    // A kept secret stays encrypted under the key it was written with: an update with { set: true } needs no key.
    await wrong.engines.update(
      name,
      {
        url: 'http://127.0.0.1:8080/moved/engine-rest',
        auth: { type: 'basic', username: 'u2', password: { set: true } },
      },
      { actor: 'a' },
    );
    expect((await store.engines.resolve(name))?.auth).toEqual({
      type: 'basic',
      username: 'u2',
      password: 'pw',
    });
  });

  it('refuses a secret that is not encrypted (a row edited by hand)', async () => {
    const { store, db } = ctx();
    const name = uniqueName('by-hand');
    await store.engines.create(
      { name, url: 'http://127.0.0.1:8080/engine-rest', auth: { type: 'bearer', token: 'tok' } },
      { actor: 'a' },
    );
    await db.query(`UPDATE engines SET auth = '{"type":"bearer","token":"plain"}' WHERE name = $1`, [name]);
    await expect(store.engines.resolve(name)).rejects.toThrow(
      /auth\.token: the stored value is not an encrypted secret/,
    );
    expect((await store.engines.get(name))?.auth).toEqual({ type: 'bearer', token: { set: true } });
  });

  it('re-encrypts the secrets of an old key under the new one after a rotation', async () => {
    // A database of its own: every secret in it is under the old key.
    const { db } = await openTestDatabase(ctx().kind);
    onTestFinished(() => db.close());
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = createConfigStore(db, createSecretCipher(oldKey));
    const name = uniqueName('rotate');
    await before.services.create(
      serviceInput({
        name,
        baseUrl: 'https://x.example.nl',
        auth: { type: 'zgw', clientId: 'c', secret: 'zgw-secret' },
      }),
      { actor: 'a' },
    );
    await before.credentials.create(
      name,
      { applicationId: 'app', auth: { type: 'api-key', header: 'X-Key', key: 'app-key' } },
      { actor: 'a' },
    );

    // Without the old key, nothing is re-encrypted: the error names the secret it cannot read.
    await expect(createConfigStore(db, createSecretCipher(newKey)).reencryptSecrets()).rejects.toThrow(
      new RegExp(`cannot decrypt service '${name}' auth\\.secret`),
    );
    const during = createConfigStore(db, createSecretCipher(newKey, { previousKeys: [oldKey] }));
    expect((await during.services.credentialsFor(name))?.auth).toMatchObject({ secret: 'zgw-secret' });
    expect(await during.reencryptSecrets()).toBe(2);
    expect(await during.reencryptSecrets()).toBe(0);

    const after = createConfigStore(db, createSecretCipher(newKey));
    expect((await after.services.credentialsFor(name))?.auth).toMatchObject({ secret: 'zgw-secret' });
    expect((await after.services.credentialsFor(name, 'app'))?.auth).toMatchObject({ key: 'app-key' });
    const raw = JSON.stringify(await db.query('SELECT auth FROM services WHERE name = $1', [name]));
    expect(raw).toContain(`v1:${keyIdOf(newKey)}:`);
    expect(raw).not.toContain('zgw-secret');
  });
});

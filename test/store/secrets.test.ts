import { createCipheriv, randomBytes } from 'node:crypto';
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
import type { SecretLocation } from '../../src/store/secret-location.ts';
import { eventually } from '../support/eventually.ts';
import { serviceInput } from '../support/store-inputs.ts';
import { describeStores, openTestDatabase, randomCipher, uniqueName } from './stores.ts';

/** A secret in the format before v2 (no associated data), made here by hand as older BPTLs stored it. */
function encryptV1(key: Buffer, plaintext: string): { $enc: string } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
  return { $enc: ['v1', keyIdOf(key), ...parts].join(':') };
}

describe('the secret key', () => {
  const key = randomBytes(32);
  const at: SecretLocation = { row: { kind: 'engine', name: 'local' }, field: 'auth.password' };

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
    const a = cipher.encrypt('hunter2', at);
    const b = cipher.encrypt('hunter2', at);
    expect(a.$enc).not.toBe(b.$enc);
    expect(a.$enc).toMatch(new RegExp(`^v2:${keyIdOf(key)}:[\\w-]+:[\\w-]+:[\\w-]+$`));
    expect(cipher.decrypt(a, at)).toBe('hunter2');
    expect(cipher.decrypt(cipher.encrypt('', at), at)).toBe('');
    expect(cipher.decrypt(cipher.encrypt('ünïcødé ✓', at), at)).toBe('ünïcødé ✓');
  });

  it('refuses a stored value whose tag was cut short (GCM checks only the bytes it is given)', () => {
    const cipher = createSecretCipher(key);
    const [version, id, iv, tag, ciphertext] = cipher.encrypt('hunter2', at).$enc.split(':');
    for (const bytes of [4, 8, 12, 15]) {
      const short = Buffer.from(tag!, 'base64url').subarray(0, bytes).toString('base64url');
      const cut = { $enc: [version, id, iv, short, ciphertext].join(':') };
      expect(() => cipher.decrypt(cut, at), `a ${bytes}-byte tag`).toThrow(SecretKeyError);
      expect(() => cipher.decrypt(cut, at)).toThrow(/its tag is not 16 bytes/);
    }
  });

  it('names the variable and both keys when the key is another one, instead of returning garbage', () => {
    const stored = createSecretCipher(key).encrypt('hunter2', at);
    const other = createSecretCipher(randomBytes(32));
    const error = (() => {
      try {
        other.decrypt(stored, at);
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
    const parts = cipher.encrypt('hunter2', at).$enc.split(':');
    const ciphertext = Buffer.from(parts[4]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 1;
    parts[4] = ciphertext.toString('base64url');
    expect(() => cipher.decrypt({ $enc: parts.join(':') }, at)).toThrow(/damaged or was altered/);
    expect(() => cipher.decrypt({ $enc: 'plain text' }, at)).toThrow(SecretKeyError);
  });

  it('decrypts with an older key from BPTL_SECRET_KEY_PREVIOUS after a rotation', () => {
    const old = randomBytes(32);
    const stored = createSecretCipher(old).encrypt('hunter2', at);
    const rotated = loadSecretCipher({
      BPTL_SECRET_KEY: key.toString('base64'),
      BPTL_SECRET_KEY_PREVIOUS: `${randomBytes(32).toString('hex')}, ${old.toString('base64')}`,
    });
    expect(rotated.decrypt(stored, at)).toBe('hunter2');
    expect(rotated.isStale(stored)).toBe(true);
    expect(rotated.isStale(rotated.encrypt('y', at))).toBe(false);
    expect(() =>
      loadSecretCipher({ BPTL_SECRET_KEY: key.toString('hex'), BPTL_SECRET_KEY_PREVIOUS: 'nope' }),
    ).toThrow(/BPTL_SECRET_KEY_PREVIOUS must be/);
  });

  it('binds a secret to its row and field; names with : or / cannot stand for another row', () => {
    const cipher = createSecretCipher(key);
    const stored = cipher.encrypt('hunter2', at);
    expect(() =>
      cipher.decrypt(stored, { row: { kind: 'engine', name: 'other' }, field: 'auth.password' }),
    ).toThrow(/cannot decrypt engine 'other' auth\.password with key .*not encrypted for this row and field/);
    expect(() => cipher.decrypt(stored, { row: at.row, field: 'auth.token' })).toThrow(SecretKeyError);
    expect(() =>
      cipher.decrypt(stored, { row: { kind: 'service', name: 'local' }, field: at.field }),
    ).toThrow(SecretKeyError);
    const one = cipher.encrypt('s', {
      row: { kind: 'credential', service: 'a:b', applicationId: 'c' },
      field: 'auth.key',
    });
    expect(() =>
      cipher.decrypt(one, {
        row: { kind: 'credential', service: 'a', applicationId: 'b:c' },
        field: 'auth.key',
      }),
    ).toThrow(SecretKeyError);
    const two = cipher.encrypt('s', {
      row: { kind: 'credential', service: 'a/b', applicationId: 'c' },
      field: 'auth.key',
    });
    expect(() =>
      cipher.decrypt(two, {
        row: { kind: 'credential', service: 'a', applicationId: 'b/c' },
        field: 'auth.key',
      }),
    ).toThrow(SecretKeyError);
  });

  it('still decrypts a v1 secret (no row binding), anywhere, and calls it stale', () => {
    const cipher = createSecretCipher(key);
    const old = encryptV1(key, 'hunter2');
    expect(cipher.decrypt(old, at)).toBe('hunter2');
    expect(cipher.staleReason(old)).toBe('format v1, not bound to its row and field');
    expect(cipher.isStale(old)).toBe(true);
    expect(cipher.isStale(cipher.encrypt('x', at))).toBe(false);
    // A v2 secret relabelled v1 (to drop its binding) does not decrypt: its tag covers the associated data.
    const relabelled = { $enc: cipher.encrypt('hunter2', at).$enc.replace(/^v2:/, 'v1:') };
    expect(() => cipher.decrypt(relabelled, at)).toThrow(/damaged or was altered/);
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

    // Without the old key, nothing is re-encrypted: the report names each secret it cannot read, and why.
    const without = await createConfigStore(db, createSecretCipher(newKey)).reencryptSecrets();
    expect(without).toMatchObject({ reencrypted: 0, current: 0, notDecryptable: 2 });
    expect(without.secrets[0]).toMatchObject({
      secret: `service '${name}' auth.secret`,
      status: 'not decryptable',
      reason: expect.stringMatching(
        new RegExp(`cannot decrypt service '${name}' auth\\.secret: .*encrypted with key`),
      ),
    });
    expect(JSON.stringify(without)).not.toContain('zgw-secret');
    const during = createConfigStore(db, createSecretCipher(newKey, { previousKeys: [oldKey] }));
    expect((await during.services.credentialsFor(name))?.auth).toMatchObject({ secret: 'zgw-secret' });
    // A dry run says what it would do, and writes nothing.
    const dry = await during.reencryptSecrets({ dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, reencrypted: 2, current: 0, notDecryptable: 0 });
    expect(dry.secrets[1]).toEqual({
      secret: `service '${name}' credentials of application 'app' auth.key`,
      status: 're-encrypted',
      reason: `encrypted with the older key ${keyIdOf(oldKey)}`,
    });
    expect(await during.reencryptSecrets()).toMatchObject({ dryRun: false, reencrypted: 2, current: 0 });
    expect(await during.reencryptSecrets()).toMatchObject({ reencrypted: 0, current: 2, notDecryptable: 0 });

    const after = createConfigStore(db, createSecretCipher(newKey));
    expect((await after.services.credentialsFor(name))?.auth).toMatchObject({ secret: 'zgw-secret' });
    expect((await after.services.credentialsFor(name, 'app'))?.auth).toMatchObject({ key: 'app-key' });
    const raw = JSON.stringify(await db.query('SELECT auth FROM services WHERE name = $1', [name]));
    expect(raw).toContain(`v2:${keyIdOf(newKey)}:`);
    expect(raw).not.toContain('zgw-secret');
  });
});

describeStores('a stored secret is bound to its row and field', (ctx) => {
  it('reads the v1 secrets of older databases, and rotate writes them again as v2', async () => {
    const { db } = await openTestDatabase(ctx().kind);
    onTestFinished(() => db.close());
    const oldKey = randomBytes(32);
    const key = randomBytes(32);
    const store = createConfigStore(db, createSecretCipher(key, { previousKeys: [oldKey] }));
    const [v1, previous, current, broken] = ['v1', 'previous', 'current', 'broken'].map((p) =>
      uniqueName(p),
    ) as [string, string, string, string];
    for (const name of [v1, previous, current, broken]) {
      await store.engines.create(
        { name, url, auth: { type: 'bearer', token: `tok-${name}` } },
        { actor: 't' },
      );
    }
    await store.engines.create({ name: uniqueName('none'), url, auth: { type: 'none' } }, { actor: 't' });
    const setToken = (name: string, token: unknown) =>
      db.query(`UPDATE engines SET auth = jsonb_set(auth, '{token}', $1::jsonb) WHERE name = $2`, [
        JSON.stringify(token),
        name,
      ]);
    await setToken(v1, encryptV1(key, `tok-${v1}`)); // as a BPTL before v2 stored it
    await setToken(previous, encryptV1(oldKey, `tok-${previous}`)); // v1, and under the previous key
    await setToken(
      broken,
      randomCipher().encrypt('x', { row: { kind: 'engine', name: broken }, field: 'auth.token' }),
    );

    expect((await store.engines.resolve(v1))?.auth).toEqual({ type: 'bearer', token: `tok-${v1}` });
    expect((await store.engines.resolve(previous))?.auth).toEqual({
      type: 'bearer',
      token: `tok-${previous}`,
    });

    const report = await store.reencryptSecrets();
    expect(report).toMatchObject({ reencrypted: 2, current: 1, notDecryptable: 1 });
    const of = (name: string) => report.secrets.find((s) => s.secret === `engine '${name}' auth.token`);
    expect(of(v1)).toEqual({
      secret: `engine '${v1}' auth.token`,
      status: 're-encrypted',
      reason: 'format v1, not bound to its row and field',
    });
    expect(of(previous)?.reason).toBe(
      `encrypted with the older key ${keyIdOf(oldKey)}; format v1, not bound to its row and field`,
    );
    expect(of(current)).toEqual({ secret: `engine '${current}' auth.token`, status: 'current' });
    expect(of(broken)).toMatchObject({
      status: 'not decryptable',
      reason: expect.stringContaining('encrypted with key'),
    });

    // Now v2 under the current key: it decrypts without the previous key, and only in its own row.
    const after = createConfigStore(db, createSecretCipher(key));
    for (const name of [v1, previous]) {
      const [row] = await db.query<{ auth: { token: { $enc: string } } }>(
        'SELECT auth FROM engines WHERE name = $1',
        [name],
      );
      expect(row!.auth.token.$enc).toMatch(new RegExp(`^v2:${keyIdOf(key)}:`));
      expect((await after.engines.resolve(name))?.auth).toEqual({ type: 'bearer', token: `tok-${name}` });
    }
    await db.query(`UPDATE engines SET auth = (SELECT auth FROM engines WHERE name = $1) WHERE name = $2`, [
      v1,
      current,
    ]);
    await expect(after.engines.resolve(current)).rejects.toThrow(/not encrypted for this row and field/);
    // The broken one is still there, untouched, for an admin to enter again.
    expect((await after.reencryptSecrets()).notDecryptable).toBe(2);
  });

  const url = 'http://127.0.0.1:8080/engine-rest';

  it('does not decrypt when copied into another row or field, naming where it was found', async () => {
    const { store, db } = ctx();
    const a = uniqueName('bound-a');
    const b = uniqueName('bound-b');
    const c = uniqueName('bound-c');
    await store.engines.create(
      { name: a, url, auth: { type: 'basic', username: 'u', password: 'pw-a' } },
      { actor: 't' },
    );
    await store.engines.create(
      { name: b, url, auth: { type: 'basic', username: 'u', password: 'pw-b' } },
      { actor: 't' },
    );
    await store.engines.create({ name: c, url, auth: { type: 'bearer', token: 'tok-c' } }, { actor: 't' });
    await store.services.create(
      serviceInput({
        name: a,
        baseUrl: 'https://x.example.nl',
        auth: { type: 'bearer', token: 'svc-token' },
      }),
      { actor: 't' },
    );
    await store.credentials.create(
      a,
      { applicationId: 'app', auth: { type: 'bearer', token: 'app-token' } },
      { actor: 't' },
    );

    // engine a's password pasted into engine b
    await db.query(
      `UPDATE engines SET auth = jsonb_set(auth, '{password}', (SELECT auth -> 'password' FROM engines WHERE name = $1)) WHERE name = $2`,
      [a, b],
    );
    await expect(store.engines.resolve(b)).rejects.toThrow(SecretKeyError);
    await expect(store.engines.resolve(b)).rejects.toThrow(
      new RegExp(`engine '${b}' auth\\.password.*not encrypted for this row and field`),
    );
    // engine a's password moved into engine c's token (another field)
    await db.query(
      `UPDATE engines SET auth = jsonb_set(auth, '{token}', (SELECT auth -> 'password' FROM engines WHERE name = $1)) WHERE name = $2`,
      [a, c],
    );
    await expect(store.engines.resolve(c)).rejects.toThrow(
      new RegExp(`engine '${c}' auth\\.token.*not encrypted for this row and field`),
    );
    // the service's token moved into its application's credentials
    await db.query(
      `UPDATE service_credentials SET auth = (SELECT auth FROM services WHERE name = $1) WHERE service = $1`,
      [a],
    );
    await expect(store.services.credentialsFor(a, 'app')).rejects.toThrow(
      new RegExp(`service '${a}' credentials of application 'app' auth\\.token.*not encrypted for this row`),
    );
    // the rows left alone still decrypt
    expect((await store.engines.resolve(a))?.auth).toMatchObject({ password: 'pw-a' });
    expect((await store.services.credentialsFor(a))?.auth).toMatchObject({ token: 'svc-token' });
  });
});

describe('rotate and a write at the same time (postgres: two connections)', () => {
  it('waits for the write and keeps its value instead of writing back the old one', async () => {
    const { db } = await openTestDatabase('postgres');
    onTestFinished(() => db.close());
    const oldKey = randomBytes(32);
    const key = randomBytes(32);
    const name = uniqueName('race');
    const url = 'http://127.0.0.1:8080/engine-rest';
    await createConfigStore(db, createSecretCipher(oldKey)).engines.create(
      { name, url, auth: { type: 'basic', username: 'u', password: 'old-pw' } },
      { actor: 't' },
    );
    const store = createConfigStore(db, createSecretCipher(key, { previousKeys: [oldKey] }));
    let rotation: ReturnType<typeof store.reencryptSecrets> | undefined;
    await store.transaction(async (tx) => {
      // The PUT holds the row; the rotation starts on another connection before it commits.
      await tx.engines.update(
        name,
        { url, auth: { type: 'basic', username: 'u', password: 'new-pw' } },
        { actor: 't' },
      );
      rotation = store.reencryptSecrets();
      await eventually(async () => {
        const [row] = await db.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return row!.waiting > 0 ? true : undefined;
      }, 'the rotation to wait for the row lock');
    });
    const report = await rotation!;
    expect(report.secrets).toEqual([{ secret: `engine '${name}' auth.password`, status: 'current' }]);
    expect((await store.engines.resolve(name))?.auth).toMatchObject({ password: 'new-pw' });
  });
});

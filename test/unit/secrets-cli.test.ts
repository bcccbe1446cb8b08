/**
 * `bptl secrets rotate`, run as a process on an embedded store in a folder of its own: secrets written under an
 * old key (and one under a key nobody has) are re-encrypted under the new one; --dry-run writes nothing; the exit
 * code says whether a secret could not be decrypted. Never a secret's value in the output.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigStore, openConfigStore } from '../../src/store/config-store.ts';
import { createSecretCipher, keyIdOf } from '../../src/store/secret-cipher.ts';
import { runBptl } from '../support/processes.ts';
import { serviceInput } from '../support/store-inputs.ts';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const url = 'http://127.0.0.1:8080/engine-rest';
const values = ['old-engine-pw', 'old-service-token', 'lost-key-secret', 'again-pw'];
let dataDir: string;

/** The store in `dataDir` with `key` (and `previous` to read with), closed when `fn` ends. */
async function withStore<T>(
  key: Buffer,
  fn: (store: ConfigStore) => Promise<T>,
  previous?: Buffer,
): Promise<T> {
  const store = await openConfigStore({
    dataDir,
    env: { BPTL_SECRET_KEY: key.toString('base64'), BPTL_SECRET_KEY_PREVIOUS: previous?.toString('base64') },
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const rotate = (...args: string[]) =>
  runBptl(['secrets', 'rotate', ...args], {
    BPTL_DATA_DIR: dataDir,
    DATABASE_URL: '',
    BPTL_SECRET_KEY: newKey.toString('base64'),
    BPTL_SECRET_KEY_PREVIOUS: oldKey.toString('hex'),
  });

const rawAuth = () =>
  withStore(newKey, async (store) =>
    JSON.stringify(
      await store.database.query('SELECT auth FROM engines UNION ALL SELECT auth FROM services'),
    ),
  );

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'bptl-secrets-cli-'));
  await withStore(oldKey, async (store) => {
    await store.engines.create(
      { name: 'local', url, auth: { type: 'basic', username: 'u', password: values[0]! } },
      { actor: 't' },
    );
    await store.services.create(
      serviceInput({
        name: 'zrc',
        baseUrl: 'https://x.example.nl',
        auth: { type: 'bearer', token: values[1]! },
      }),
      { actor: 't' },
    );
    await store.engines.create({ name: 'lost', url, auth: { type: 'bearer', token: 'x' } }, { actor: 't' });
    // A secret under a key that neither BPTL_SECRET_KEY nor BPTL_SECRET_KEY_PREVIOUS has.
    const lost = createSecretCipher(randomBytes(32)).encrypt(values[2]!, {
      row: { kind: 'engine', name: 'lost' },
      field: 'auth.token',
    });
    await store.database.query(
      `UPDATE engines SET auth = jsonb_set(auth, '{token}', $1::jsonb) WHERE name = 'lost'`,
      [JSON.stringify(lost)],
    );
  });
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('bptl secrets rotate', () => {
  it('with --dry-run, says what it would do and writes nothing', async () => {
    const before = await rawAuth();
    const { code, out, err } = await rotate('--dry-run');
    expect(code, err).toBe(1);
    expect(out).toMatch(/would re-encrypt\s+engine 'local' auth\.password/);
    expect(out).toContain(`encrypted with the older key ${keyIdOf(oldKey)}`);
    expect(out).toMatch(/would re-encrypt\s+service 'zrc' auth\.token/);
    expect(out).toMatch(/not decryptable\s+engine 'lost' auth\.token/);
    expect(out).toContain(
      '3 secrets: 2 would be re-encrypted, 0 current, 1 not decryptable (dry run: nothing written)',
    );
    expect(await rawAuth()).toBe(before);
    for (const value of values) expect(out + err).not.toContain(value);
  });

  it('re-encrypts under the new key, reports the one it cannot read, and exits 1 until that one is entered again', async () => {
    const first = await rotate();
    expect(first.code, first.err).toBe(1);
    expect(first.out).toMatch(/re-encrypted\s+engine 'local' auth\.password/);
    expect(first.out).toMatch(
      /not decryptable\s+engine 'lost' auth\.token\n\s+cannot decrypt engine 'lost' auth\.token: it was encrypted with key/,
    );
    expect(first.out).toContain('3 secrets: 2 re-encrypted, 0 current, 1 not decryptable');
    for (const value of values) expect(first.out + first.err).not.toContain(value);
    expect(await rawAuth()).toContain(`"v2:${keyIdOf(newKey)}:`);

    // The old key can go: everything but the lost one reads with the new key alone; the lost one is entered again.
    await withStore(newKey, async (store) => {
      expect((await store.engines.resolve('local'))?.auth).toMatchObject({ password: values[0] });
      expect((await store.services.credentialsFor('zrc'))?.auth).toMatchObject({ token: values[1] });
      await store.engines.update(
        'lost',
        { url, auth: { type: 'basic', username: 'u', password: values[3]! } },
        { actor: 't' },
      );
    });

    const second = await rotate();
    expect(second.code, second.err).toBe(0);
    expect(second.out).toMatch(/current\s+engine 'lost' auth\.password/);
    expect(second.out).toContain('3 secrets: 0 re-encrypted, 3 current, 0 not decryptable');
  });

  it('refuses an unknown action', async () => {
    const { code, err } = await runBptl(['secrets', 'frobnicate'], { BPTL_DATA_DIR: dataDir });
    expect(code).toBe(78);
    expect(err).toContain("unknown action 'frobnicate': use bptl secrets rotate");
  });
});

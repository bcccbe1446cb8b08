/**
 * `${NAME}` in a configuration file (bptl.config.yaml and `bptl topics apply -f`): the file is parsed first and
 * environment values are put into its string values after, so a value holding YAML syntax (`#`, `: `, `*`, `&`,
 * quotes) is taken as it is, and a file that does not parse never shows a secret in the error.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readTopicsFile } from '../../src/cli/commands/topics.ts';
import { loadConfigFile } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/errors.ts';

const units = new Set(['echo', 'sleep']);
let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bptl-substitute-'));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

async function file(text: string, ext = 'yaml'): Promise<string> {
  const at = path.join(dir, `config-${n++}.${ext}`);
  await writeFile(at, text);
  return at;
}

/** A configuration whose engine password is `password` as written (plain, quoted, …). */
const withPassword = (password: string) =>
  [
    'engines:',
    '  - name: local',
    '    url: http://127.0.0.1:${CAMUNDA_PORT:-8080}/engine-rest',
    '    auth:',
    '      type: basic',
    '      username: bptl',
    `      password: ${password}`,
    'topics:',
    '  - topic: a',
    '    workUnit: echo',
    '',
  ].join('\n');

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const awkward = [
  'pa#ss: w*rd',
  'x: y',
  '&anchor',
  `'quote"`,
  '*alias',
  '- item',
  '{ a: 1 }',
  ' lead',
  '${OTHER}',
];

describe('a configuration file with ${NAME}', () => {
  for (const written of ['${PASSWORD}', '"${PASSWORD}"', "'${PASSWORD}'"]) {
    for (const value of awkward) {
      it(`holds ${JSON.stringify(value)} exactly, written as ${written}`, async () => {
        vi.stubEnv('PASSWORD', value);
        vi.stubEnv('OTHER', 'not-expanded-again');
        const config = await loadConfigFile(await file(withPassword(written)), units);
        expect(config.engines[0]!.auth).toEqual({ type: 'basic', username: 'bptl', password: value });
        expect(config.engines[0]!.url).toBe('http://127.0.0.1:8080/engine-rest');
      });
    }
  }

  it('substitutes inside a longer string, with defaults', async () => {
    vi.stubEnv('PASSWORD', 'p');
    vi.stubEnv('CAMUNDA_PORT', '9090');
    const config = await loadConfigFile(await file(withPassword('pre-${PASSWORD}-${SUFFIX:-x#y}')), units);
    expect(config.engines[0]!.url).toBe('http://127.0.0.1:9090/engine-rest');
    expect(config.engines[0]!.auth).toMatchObject({ password: 'pre-p-x#y' });
  });

  it('substitutes in a JSON file too, a value with quotes included', async () => {
    vi.stubEnv('PASSWORD', 'a"b\\c');
    const json = JSON.stringify({
      engines: [
        {
          name: 'local',
          url: 'http://h/engine-rest',
          auth: { type: 'basic', username: 'u', password: '${PASSWORD}' },
        },
      ],
      topics: [],
    });
    const config = await loadConfigFile(await file(json, 'json'), units);
    expect(config.engines[0]!.auth).toMatchObject({ password: 'a"b\\c' });
  });

  it('never shows the secret when the file does not parse', async () => {
    vi.stubEnv('SECRET', 'hunter2-secret-value');
    const text = [
      'engines:',
      '  - name: local',
      '    url: http://127.0.0.1:8080/engine-rest',
      '    auth: { type: basic, username: bptl, password: "${SECRET}" ',
      '  broken: 1',
      '',
    ].join('\n');
    const at = await file(text);
    const error = await rejection(loadConfigFile(at, units));
    expect(error.message).toContain(`${at} does not parse`);
    expect(error.message).not.toContain('hunter2-secret-value');
    expect(error.cause).toBeInstanceOf(Error);
    expect(String((error.cause as Error).message)).not.toContain('hunter2-secret-value');

    const topics = await rejection(readTopicsFile(at));
    expect(topics.message).toContain('does not parse');
    expect(topics.message).not.toContain('hunter2-secret-value');
    expect(topics.cause).toBeInstanceOf(Error);
  });

  it('names the variable and where it is used when it is not set (or empty)', async () => {
    vi.stubEnv('PASSWORD', '');
    const at = await file(
      withPassword('"${PASSWORD}"').replace('username: bptl', 'username: ${CAMUNDA_USER}'),
    );
    const error = await rejection(loadConfigFile(at, units));
    expect(error.message).toContain(at);
    expect(error.message).toContain('engines[0].auth.username: environment variable CAMUNDA_USER is not set');
    expect(error.message).toContain('engines[0].auth.password: environment variable PASSWORD is not set');
    expect(error.message).toContain('${PASSWORD:-default}');
  });

  it('refuses ${NAME} in a key: only values are substituted', async () => {
    vi.stubEnv('KEY', 'description');
    const at = await file(
      withPassword('x').replace('    workUnit: echo', '    workUnit: echo\n    ${KEY}: hi'),
    );
    const error = await rejection(loadConfigFile(at, units));
    expect(error.message).toContain("topics[0]: the key '${KEY}' holds ${...}");
  });

  it('gives a string, never a number: a number field from the environment is an error naming it', async () => {
    vi.stubEnv('LOCK_MS', '30000');
    const at = await file(
      withPassword('x').replace('    workUnit: echo', '    workUnit: echo\n    lockDurationMs: ${LOCK_MS}'),
    );
    const error = await rejection(loadConfigFile(at, units));
    expect(error.message).toMatch(/topics\[0\]\.lockDurationMs: .*expected number/);
  });
});

describe('bptl topics apply -f: ${NAME} in the file', () => {
  it('holds an awkward value exactly', async () => {
    vi.stubEnv('NOTE', 'pa#ss: w*rd &a *b');
    const topics = await readTopicsFile(
      await file('topics:\n  - topic: a\n    workUnit: echo\n    description: ${NOTE}\n'),
    );
    expect(topics).toEqual([{ topic: 'a', workUnit: 'echo', description: 'pa#ss: w*rd &a *b' }]);
  });

  it('names a missing variable and where it is used', async () => {
    const error = await rejection(
      readTopicsFile(await file('- topic: a\n  workUnit: echo\n  description: ${BPTL_TEST_UNSET_NOTE}\n')),
    );
    expect(error.message).toContain('[0].description: environment variable BPTL_TEST_UNSET_NOTE is not set');
  });
});

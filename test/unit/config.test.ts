import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { substituteEnv } from '../../src/config/substitute-env.ts';
import { ConfigError } from '../../src/errors.ts';

const units = new Set(['echo', 'sleep']);
const engine = { name: 'local', url: 'http://127.0.0.1:8080/engine-rest' };

describe('parseConfig', () => {
  it('fills in defaults and the single engine', () => {
    const config = parseConfig({ engines: [engine], topics: [{ topic: 'a', workUnit: 'echo' }] }, units);
    expect(config.topics[0]).toMatchObject({
      topic: 'a',
      engine: 'local',
      enabled: true,
      lockDurationMs: 60_000,
      retry: {
        initialIntervalMs: 1_000,
        backoffCoefficient: 2,
        maximumIntervalMs: 60_000,
        maximumAttempts: 3,
      },
      camundaRetries: 0,
      execution: 'activity',
    });
    expect(config.engines[0]!.auth).toEqual({ type: 'none' });
  });

  it('takes execution local with a lock of at least 20 s', () => {
    const config = parseConfig(
      {
        engines: [engine],
        topics: [{ topic: 'a', workUnit: 'echo', execution: 'local', lockDurationMs: 20_000 }],
      },
      units,
    );
    expect(config.topics[0]).toMatchObject({ execution: 'local', lockDurationMs: 20_000 });
  });

  it.each([
    [
      'an unknown key',
      { engines: [engine], topics: [{ topic: 'a', workUnit: 'echo', lockDuration: 5 }] },
      "topics[0]: unknown key 'lockDuration'",
    ],
    ['a missing field', { engines: [engine], topics: [{ topic: 'a' }] }, 'topics[0].workUnit'],
    [
      'an unknown work unit',
      { engines: [engine], topics: [{ topic: 'a', workUnit: 'zaak' }] },
      "topics[0].workUnit: unknown work unit 'zaak'",
    ],
    [
      'an unknown engine',
      { engines: [engine], topics: [{ topic: 'a', workUnit: 'echo', engine: 'x' }] },
      "topics[0].engine: unknown engine 'x'",
    ],
    ['a bad URL', { engines: [{ name: 'local', url: 'not a url' }] }, 'engines[0].url'],
    ['no engine', { engines: [] }, 'engines'],
    [
      'a topic twice',
      {
        engines: [engine],
        topics: [
          { topic: 'a', workUnit: 'echo' },
          { topic: 'a', workUnit: 'sleep' },
        ],
      },
      "topics[1].topic: topic 'a' is configured twice",
    ],
    [
      'a lock that is too short',
      { engines: [engine], topics: [{ topic: 'a', workUnit: 'echo', lockDurationMs: 10 }] },
      'topics[0].lockDurationMs',
    ],
    [
      'an unknown execution',
      { engines: [engine], topics: [{ topic: 'a', workUnit: 'echo', execution: 'inline' }] },
      'topics[0].execution',
    ],
    [
      'execution local with a lock shorter than 20 s',
      {
        engines: [engine],
        topics: [{ topic: 'a', workUnit: 'echo', execution: 'local', lockDurationMs: 10_000 }],
      },
      "topics[0].lockDurationMs: must be at least 20000 with execution 'local'",
    ],
  ])('rejects %s with a message naming the field', (_, raw, message) => {
    expect(() => parseConfig(raw, units, 'bptl.config.yaml')).toThrowError(ConfigError);
    expect(() => parseConfig(raw, units, 'bptl.config.yaml')).toThrowError(message);
  });

  it('needs the engine named when there are several', () => {
    const raw = {
      engines: [engine, { ...engine, name: 'other' }],
      topics: [{ topic: 'a', workUnit: 'echo' }],
    };
    expect(() => parseConfig(raw, units)).toThrowError(
      'topics[0].engine: required when more than one engine',
    );
  });
});

describe('substituteEnv', () => {
  it('replaces variables and defaults in string values only', () => {
    expect(substituteEnv({ s: 'a=${A} b=${B:-2}', list: ['${A}', 3, true, null] }, { A: '1' })).toEqual({
      s: 'a=1 b=2',
      list: ['1', 3, true, null],
    });
  });
  it('names a missing variable and where it is used', () => {
    expect(() => substituteEnv({ x: [{ y: '${SECRET}' }] }, {})).toThrowError(
      'x[0].y: environment variable SECRET is not set',
    );
  });
  it('keeps a key __proto__ a plain key', () => {
    const out = substituteEnv(JSON.parse('{"__proto__": {"polluted": "${A}"}}'), { A: '1' }) as object;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: '1' });
  });
});

describe('loadEnv', () => {
  it('has defaults for everything', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      BPTL_TASK_QUEUE: 'bptl',
      BPTL_WORK_UNIT_TASK_QUEUE: 'bptl-work-units',
      BPTL_ASYNC_RESPONSE_TIMEOUT_MS: 20_000,
    });
    expect(env.BPTL_WORKER_ID).toMatch(/^bptl-/);
  });
  it('names a bad variable', () => {
    expect(() => loadEnv({ CAMUNDA_PORT: 'eighty' })).toThrowError(/CAMUNDA_PORT/);
    expect(() => loadEnv({ BPTL_ASYNC_RESPONSE_TIMEOUT_MS: '3600000' })).toThrowError(
      /BPTL_ASYNC_RESPONSE_TIMEOUT_MS/,
    );
  });
});

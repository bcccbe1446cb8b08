import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { MIN_LOCAL_LOCK_DURATION_MS } from '../../src/config/lock-timings.ts';
import { substituteEnv } from '../../src/config/substitute-env.ts';
import { effectiveExecution, type TopicConfig, topicConfigSchema } from '../../src/config/topic-config.ts';
import { ConfigError } from '../../src/errors.ts';
import { withExecution } from '../../src/poller/poller-fleet.ts';
import { createRegistry } from '../../src/work-units/registry.ts';

const units = new Set(['echo', 'sleep']);
const engine = { name: 'local', url: 'http://127.0.0.1:8080/engine-rest' };

describe("effectiveExecution: the topic's execution, else its work unit's", () => {
  const local = { execution: 'local' as const };
  const activity = { execution: 'activity' as const };
  it.each([
    ['the topic names one', { execution: 'activity' as const, lockDurationMs: 60_000 }, local, 'activity'],
    ['the topic names local', { execution: 'local' as const, lockDurationMs: 60_000 }, activity, 'local'],
    ["none: the unit's local", { lockDurationMs: 60_000 }, local, 'local'],
    ["none: the unit's activity", { lockDurationMs: 60_000 }, activity, 'activity'],
    [
      'none, a lock too short for local',
      { lockDurationMs: MIN_LOCAL_LOCK_DURATION_MS - 1 },
      local,
      'activity',
    ],
    ['none, a lock just long enough', { lockDurationMs: MIN_LOCAL_LOCK_DURATION_MS }, local, 'local'],
    ['none, the unit unknown here', { lockDurationMs: 60_000 }, undefined, 'activity'],
  ])('%s', (_, topic, unit, expected) => {
    expect(effectiveExecution(topic, unit)).toBe(expected);
  });

  it('the poller fleet fills it in for a topic that names none, from the registry', () => {
    const registry = createRegistry();
    const own = (name: string) => registry.get(name)?.execution;
    const topic = (workUnit: string, more: Partial<TopicConfig> = {}) =>
      ({ ...topicConfigSchema.parse({ topic: 't', workUnit, ...more }), engine: 'e' }) as TopicConfig;
    expect(withExecution(topic('camunda-set-variables'), own).execution).toBe('local');
    expect(withExecution(topic('http-request'), own).execution).toBe('activity');
    expect(withExecution(topic('noop', { execution: 'activity' }), own).execution).toBe('activity');
    expect(withExecution(topic('noop', { lockDurationMs: 10_000 }), own).execution).toBe('activity');
    expect(withExecution(topic('noop'), undefined).execution).toBe('activity');
  });

  it('the library: noop and the camunda-* units run locally by default, every other unit as an activity', () => {
    const local = createRegistry()
      .list()
      .filter((u) => u.execution === 'local')
      .map((u) => u.name);
    expect(local).toEqual([
      'camunda-call-activity',
      'camunda-copy-variables',
      'camunda-send-message',
      'camunda-set-variables',
      'camunda-start-process',
      'noop',
    ]);
    expect(createRegistry().get('http-request')?.execution).toBe('activity');
  });
});

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
    });
    // No execution named: the work unit's own applies (effectiveExecution, below).
    expect(config.topics[0]?.execution).toBeUndefined();
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

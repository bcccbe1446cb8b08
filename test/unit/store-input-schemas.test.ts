/**
 * The schemas the API declares for its bodies and the store's inputs are typed by: they refuse what the store
 * must never see, naming the field. (createApp parses a body with them once; the store takes the parsed value.)
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  engineInputSchema,
  engineUpdateSchema,
  serviceInputSchema,
  topicInputSchema,
  topicUpdateSchema,
} from '../../src/store/schemas.ts';

function issues(schema: z.ZodType, input: unknown): Array<{ path: string; code: string; message: string }> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message }));
}

const url = 'http://127.0.0.1:8080/engine-rest';

describe('the store input schemas', () => {
  it('refuse a bad engine, naming its fields and unknown keys', () => {
    const found = issues(engineInputSchema, { name: 'Bad Name', url: 'not a url', colour: 'red' });
    expect(found.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'url']));
    expect(found.some((i) => i.code === 'unrecognized_keys')).toBe(true);
    expect(issues(engineInputSchema, { name: 'good', url })).toEqual([]);
  });

  it('refuse a name in an engine update: the name is the key', () => {
    expect(issues(engineUpdateSchema, { name: 'other', url }).map((i) => i.code)).toContain(
      'unrecognized_keys',
    );
    expect(issues(engineUpdateSchema, { url })).toEqual([]);
  });

  it('refuse { set: true } in a new engine: there is nothing stored to keep', () => {
    const found = issues(engineInputSchema, {
      name: 'keep',
      url,
      auth: { type: 'bearer', token: { set: true } },
    });
    expect(found.map((i) => i.path)).toContain('auth.token');
    // An update may keep the stored token.
    expect(issues(engineUpdateSchema, { url, auth: { type: 'bearer', token: { set: true } } })).toEqual([]);
  });

  it('refuse an API-key header that is no header name', () => {
    const found = issues(serviceInputSchema, {
      name: 'k',
      baseUrl: 'http://127.0.0.1:9/api',
      auth: { type: 'api-key', header: 'bad header', key: 'k' },
    });
    expect(found.map((i) => i.path)).toContain('auth.header');
  });

  it('refuse a bad topic and a key in a topic update, naming the fields', () => {
    const found = issues(topicInputSchema, {
      engine: 'e',
      topic: 't',
      workUnit: 'echo',
      lockDurationMs: 10,
      lockDuration: 5,
    });
    expect(found.map((i) => i.path)).toContain('lockDurationMs');
    expect(found.some((i) => i.code === 'unrecognized_keys')).toBe(true);
    expect(issues(topicUpdateSchema, { topic: 'u', workUnit: 'echo' }).map((i) => i.code)).toContain(
      'unrecognized_keys',
    );
    expect(issues(topicInputSchema, { engine: 'e', topic: 't', workUnit: 'echo' })).toEqual([]);
  });
});

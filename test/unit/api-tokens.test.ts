/** BPTL_API_TOKENS: the compact form, the JSON form, and what is refused. */
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.ts';

const long = (c: string) => c.repeat(20);

describe('BPTL_API_TOKENS', () => {
  it('reads role:token and name:role:token, comma-separated', () => {
    const env = loadEnv({ BPTL_API_TOKENS: `admin:${long('a')}, ci:viewer:${long('b')}` });
    expect(env.BPTL_API_TOKENS).toEqual([
      { name: 'admin-1', role: 'admin', token: long('a') },
      { name: 'ci', role: 'viewer', token: long('b') },
    ]);
  });

  it('reads a JSON list', () => {
    const env = loadEnv({
      BPTL_API_TOKENS: JSON.stringify([{ name: 'ops', role: 'admin', token: long('c') }]),
    });
    expect(env.BPTL_API_TOKENS).toEqual([{ name: 'ops', role: 'admin', token: long('c') }]);
  });

  it('is empty when unset', () => {
    expect(loadEnv({}).BPTL_API_TOKENS).toEqual([]);
  });

  it('refuses an unknown role, a short token, a token listed twice and a malformed entry, naming the variable', () => {
    expect(() => loadEnv({ BPTL_API_TOKENS: `root:${long('a')}` })).toThrow(/BPTL_API_TOKENS\[0\]\.role/);
    expect(() => loadEnv({ BPTL_API_TOKENS: 'admin:short' })).toThrow(
      /BPTL_API_TOKENS\[0\]\.token: at least 16/,
    );
    expect(() => loadEnv({ BPTL_API_TOKENS: `admin:${long('a')},viewer:${long('a')}` })).toThrow(
      /listed twice/,
    );
    expect(() => loadEnv({ BPTL_API_TOKENS: 'just-a-token-without-a-role' })).toThrow(
      /BPTL_API_TOKENS\[0\]\.role/,
    );
    expect(() => loadEnv({ BPTL_API_TOKENS: '[not json' })).toThrow(/BPTL_API_TOKENS/);
  });

  it('never puts a token in its error message', () => {
    const secret = `${long('s')}!`;
    expect(() => loadEnv({ BPTL_API_TOKENS: `admin:${secret}` })).toThrow();
    try {
      loadEnv({ BPTL_API_TOKENS: `admin:${secret}` });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(secret);
    }
  });
});

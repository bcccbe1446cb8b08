/** The warning of a long-running command without a codec key: payloads would reach Temporal in plain text. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codecKeyWarning, NO_CODEC_KEY_WARNING, warnWhenNoCodecKey } from '../../src/codec/codec-keys.ts';
import { loadEnv } from '../../src/config/env.ts';
import { createLogger } from '../../src/logging/logger.ts';

describe('the warning when there is no codec key', () => {
  it('is given when neither BPTL_CODEC_KEYS nor BPTL_SECRET_KEY gives a key', () => {
    const warning = codecKeyWarning(loadEnv({}).codecKeys);
    expect(warning).toBe(NO_CODEC_KEY_WARNING);
    expect(warning).toContain('plain text in Temporal');
    expect(warning).toContain('BPTL_SECRET_KEY');
    expect(warning).toContain('BPTL_CODEC_KEYS');
    expect(warning).toContain('docs/operations.md');
  });

  it('is not given with BPTL_CODEC_KEYS, BPTL_SECRET_KEY or the development key', () => {
    expect(
      codecKeyWarning(loadEnv({ BPTL_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}` }).codecKeys),
    ).toBe(undefined);
    expect(codecKeyWarning(loadEnv({ BPTL_SECRET_KEY: randomBytes(32).toString('base64') }).codecKeys)).toBe(
      undefined,
    );
    expect(codecKeyWarning(loadEnv({ BPTL_DEV_INSECURE_SECRET_KEY: '1' }).codecKeys)).toBe(undefined);
  });

  it('is logged once, at warn, and only when there is no key', () => {
    const lines: string[] = [];
    const log = createLogger('bptl', { level: 'debug', write: (line) => lines.push(line) });
    warnWhenNoCodecKey(log, loadEnv({ BPTL_SECRET_KEY: randomBytes(32).toString('base64') }).codecKeys);
    expect(lines).toEqual([]);
    warnWhenNoCodecKey(log, []);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN/);
    expect(lines[0]).toContain('plain text in Temporal');
  });
});

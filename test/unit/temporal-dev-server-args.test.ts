/** `bptl dev` points the local Temporal UI at the API's codec server. */
import { describe, expect, it } from 'vitest';
import { apiBaseUrl } from '../../src/cli/commands/dev.ts';
import { temporalDevServerArgs } from '../../src/local/temporal-dev-server.ts';

describe('temporal server start-dev arguments', () => {
  it('pass --ui-codec-endpoint when given, and not otherwise', () => {
    const args = temporalDevServerArgs({ dataDir: '/tmp/x', uiCodecEndpoint: 'http://127.0.0.1:3000/codec' });
    expect(args[args.indexOf('--ui-codec-endpoint') + 1]).toBe('http://127.0.0.1:3000/codec');
    expect(temporalDevServerArgs({ dataDir: '/tmp/x' })).not.toContain('--ui-codec-endpoint');
  });

  it('name the API as a browser reaches it', () => {
    expect(apiBaseUrl({ BPTL_API_HOST: '127.0.0.1', BPTL_API_PORT: 3000 })).toBe('http://127.0.0.1:3000');
    expect(apiBaseUrl({ BPTL_API_HOST: '0.0.0.0', BPTL_API_PORT: 3001 })).toBe('http://127.0.0.1:3001');
    expect(apiBaseUrl({ BPTL_API_HOST: '::1', BPTL_API_PORT: 3000 })).toBe('http://[::1]:3000');
  });
});

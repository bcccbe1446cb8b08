/** The bptl command line, run as a process: help, bad arguments, and a bad configuration file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBptl } from '../support/processes.ts';

/** `bptl <args…>` with a Temporal address nothing answers on: none of these commands may get as far. */
const bptl = (...args: string[]) => runBptl(args, { TEMPORAL_ADDRESS: '127.0.0.1:1' });

describe('bptl', () => {
  it('lists its commands', async () => {
    const { code, out } = await bptl('--help');
    expect(code).toBe(0);
    for (const command of ['worker', 'poller', 'api', 'dev']) expect(out).toContain(`  ${command}`);
  });

  it('explains a command', async () => {
    const { code, out } = await bptl('poller', '--help');
    expect(code).toBe(0);
    expect(out).toContain('Usage: bptl poller');
  });

  it('refuses an unknown command or option', async () => {
    expect((await bptl('frobnicate')).code).toBe(2);
    const { code, err } = await bptl('worker', '--bogus');
    expect(code).toBe(2);
    expect(err).toContain("Unknown option '--bogus'");
  });

  it('stops at start-up on a configuration file with an unknown key or work unit, naming the field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bptl-cli-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'engines:\n  - name: local\n    url: http://127.0.0.1:8080/engine-rest\ntopics:\n  - topic: a\n    workUnit: zaak\n    lockDuraton: 5\n',
    );
    const { code, err } = await bptl('poller', '--config', file);
    expect(code).toBe(78);
    expect(err).toContain("topics[0]: unknown key 'lockDuraton'");
    writeFileSync(
      file,
      'engines:\n  - name: local\n    url: http://127.0.0.1:8080/engine-rest\ntopics:\n  - topic: a\n    workUnit: zaak\n',
    );
    const second = await bptl('worker', '--config', file);
    expect(second.code).toBe(78);
    expect(second.err).toContain("topics[0].workUnit: unknown work unit 'zaak'");
  });
});

describe('bptl api', () => {
  it('stops at start-up without a token, or with a token too short, naming the variable', async () => {
    const none = await runBptl(['api'], { BPTL_API_TOKENS: '' });
    expect(none.code).toBe(78);
    expect(none.err).toContain('BPTL_API_TOKENS is not set');
    const short = await runBptl(['api'], { BPTL_API_TOKENS: 'admin:short,viewer:0123456789abcdef0123' });
    expect(short.code).toBe(78);
    expect(short.err).toContain('BPTL_API_TOKENS[0].token: at least 16 characters');
    expect(short.err).not.toContain('0123456789abcdef0123');
  });
});

/** The bptl command line, run as a process: help, bad arguments, and a bad configuration file. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/paths.ts';

function bptl(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, 'src', 'cli', 'main.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' },
    timeout: 30_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('bptl', () => {
  it('lists its commands', () => {
    const { code, out } = bptl('--help');
    expect(code).toBe(0);
    for (const command of ['worker', 'poller', 'api', 'dev']) expect(out).toContain(`  ${command}`);
  });

  it('explains a command', () => {
    const { code, out } = bptl('poller', '--help');
    expect(code).toBe(0);
    expect(out).toContain('Usage: bptl poller');
  });

  it('refuses an unknown command or option', () => {
    expect(bptl('frobnicate').code).toBe(2);
    const { code, err } = bptl('worker', '--bogus');
    expect(code).toBe(2);
    expect(err).toContain("Unknown option '--bogus'");
  });

  it('stops at start-up on a configuration file with an unknown key or work unit, naming the field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bptl-cli-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'engines:\n  - name: local\n    url: http://127.0.0.1:8080/engine-rest\ntopics:\n  - topic: a\n    workUnit: zaak\n    lockDuraton: 5\n',
    );
    const { code, err } = bptl('poller', '--config', file);
    expect(code).toBe(78);
    expect(err).toContain("topics[0]: unknown key 'lockDuraton'");
    writeFileSync(
      file,
      'engines:\n  - name: local\n    url: http://127.0.0.1:8080/engine-rest\ntopics:\n  - topic: a\n    workUnit: zaak\n',
    );
    const second = bptl('worker', '--config', file);
    expect(second.code).toBe(78);
    expect(second.err).toContain("topics[0].workUnit: unknown work unit 'zaak'");
  });
});

describe('bptl api', () => {
  it('stops at start-up without a token, or with a token too short, naming the variable', () => {
    const none = spawnSync(process.execPath, [path.join(root, 'src', 'cli', 'main.ts'), 'api'], {
      encoding: 'utf8',
      env: { ...process.env, BPTL_API_TOKENS: '' },
      timeout: 30_000,
    });
    expect(none.status).toBe(78);
    expect(none.stderr).toContain('BPTL_API_TOKENS is not set');
    const short = spawnSync(process.execPath, [path.join(root, 'src', 'cli', 'main.ts'), 'api'], {
      encoding: 'utf8',
      env: { ...process.env, BPTL_API_TOKENS: 'admin:short,viewer:0123456789abcdef0123' },
      timeout: 30_000,
    });
    expect(short.status).toBe(78);
    expect(short.stderr).toContain('BPTL_API_TOKENS[0].token: at least 16 characters');
    expect(short.stderr).not.toContain('0123456789abcdef0123');
  });
});

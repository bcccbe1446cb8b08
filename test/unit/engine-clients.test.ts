import { describe, expect, it } from 'vitest';
import { EngineClientRegistry, engineKey } from '../../src/engine/engine-clients.ts';
import type { ResolvedEngine } from '../../src/store/schemas.ts';

const local: ResolvedEngine = {
  name: 'local',
  url: 'http://127.0.0.1:8080/engine-rest',
  auth: { type: 'none' },
};
const other: ResolvedEngine = {
  name: 'other',
  url: 'http://127.0.0.1:9090/engine-rest',
  auth: { type: 'none' },
};

describe('EngineClientRegistry', () => {
  it('keeps the client of an engine that did not change, so that pollers and activities share it', () => {
    const registry = new EngineClientRegistry([local, other]);
    const first = registry.get('local');
    registry.sync([{ ...local }, other]);
    expect(registry.get('local')).toBe(first);
    expect(registry.clientFor(local)).toBe(first);
    expect(registry.names().sort()).toEqual(['local', 'other']);
  });

  it('replaces the client of an engine whose URL or credentials changed, and drops removed engines', () => {
    const registry = new EngineClientRegistry([local, other]);
    const before = registry.get('local');
    const changed: ResolvedEngine = { ...local, auth: { type: 'bearer', token: 'secret' } };
    registry.sync([changed]);
    expect(registry.get('local')).not.toBe(before);
    expect(registry.get('local')?.baseUrl).toBe(local.url);
    expect(registry.get('other')).toBeUndefined();
    const moved = { ...changed, url: 'http://127.0.0.1:8081/engine-rest' };
    expect(registry.clientFor(moved).baseUrl).toBe(moved.url);
    expect(registry.get('local')?.baseUrl).toBe(moved.url);
  });

  const withPrefix: ResolvedEngine = { ...local, workerIdPrefix: 'a' };
  it('tells a changed engine by URL and credentials only (a worker id prefix is not part of the client)', () => {
    expect(engineKey(local)).toBe(engineKey(withPrefix));
    expect(engineKey(local)).not.toBe(
      engineKey({ ...local, auth: { type: 'basic', username: 'u', password: 'p' } }),
    );
  });
});

/**
 * `bptl topics` as an admin runs it: a YAML file of topics applied to a running API (in-process, on port 0),
 * then changed and applied again, printing what changed; list, get and delete.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApi, serveApi } from '../../src/api/serve.ts';
import { ADMIN_TOKEN, createTestApi, type TestApi, VIEWER_TOKEN } from '../support/api.ts';
import { runBptl } from '../support/processes.ts';
import { engineInput, topicInput } from '../support/store-inputs.ts';

let api: TestApi;
let server: RunningApi;
let dir: string;

/** Runs `bptl topics …` as a child process (the server is in this process, so this must not block it). */
function bptl(
  args: string[],
  token = ADMIN_TOKEN,
): Promise<{ code: number | null; out: string; err: string }> {
  return runBptl(['topics', ...args], { BPTL_API_URL: server.url, BPTL_API_TOKEN: token });
}

async function file(name: string, text: string): Promise<string> {
  const at = path.join(dir, name);
  await writeFile(at, text);
  return at;
}

beforeAll(async () => {
  api = await createTestApi();
  server = await serveApi(api.app, { port: 0, hostname: '127.0.0.1' });
  dir = await mkdtemp(path.join(tmpdir(), 'bptl-topics-'));
  await api.store.engines.create(engineInput({ name: 'local', url: 'http://127.0.0.1:8080/engine-rest' }), {
    actor: 'test',
  });
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('bptl topics', () => {
  it('applies a YAML file: creates, then updates only what changed, printing the changes', async () => {
    const first = await file(
      'topics.yaml',
      `topics:
  - topic: orders
    workUnit: echo
    lockDurationMs: 30000
  - topic: mails
    engine: local
    workUnit: sleep
`,
    );
    const created = await bptl(['apply', '-f', first]);
    expect(created.code, created.err).toBe(0);
    expect(created.out).toContain('created    local/orders');
    expect(created.out).toContain('created    local/mails');
    expect(created.out).toContain('2 created, 0 updated, 0 unchanged');
    expect((await api.store.topics.get({ engine: 'local', topic: 'orders' }))?.lockDurationMs).toBe(30_000);

    const second = await file(
      'topics-2.yaml',
      `topics:
  - topic: orders
    workUnit: echo
    lockDurationMs: 60000
    enabled: false
  - topic: mails
    engine: local
    workUnit: sleep
`,
    );
    const updated = await bptl(['apply', '-f', second]);
    expect(updated.code, updated.err).toBe(0);
    expect(updated.out).toContain('updated    local/orders');
    expect(updated.out).toContain('enabled: true → false');
    expect(updated.out).toContain('lockDurationMs: 30000 → 60000');
    expect(updated.out).toContain('unchanged  local/mails');
    expect(updated.out).toContain('0 created, 1 updated, 1 unchanged');
    const orders = await api.store.topics.get({ engine: 'local', topic: 'orders' });
    expect(orders).toMatchObject({ enabled: false, lockDurationMs: 60_000, version: 2 });
    const audit = await api.store.audit.list({ resourceName: 'local/orders' });
    expect(audit[0]).toMatchObject({ action: 'update', actor: 'token:test-admin' });

    const again = await bptl(['apply', '-f', second]);
    expect(again.out).toContain('0 created, 0 updated, 2 unchanged');
  });

  it('reports a topic the API refuses, and goes on with the others', async () => {
    const bad = await file(
      'bad.yaml',
      `topics:
  - { topic: broken, workUnit: zaak-create }
  - { topic: fine, workUnit: echo }
`,
    );
    const result = await bptl(['apply', '-f', bad]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "failed     local/broken: 422 workUnit: work unit 'zaak-create' does not exist",
    );
    expect(result.out).toContain('created    local/fine');
  });

  it('names the field of an invalid file before calling the API', async () => {
    const invalid = await file('invalid.yaml', 'topics:\n  - { topic: x, workUnit: echo, lockDuraton: 5 }\n');
    const result = await bptl(['apply', '-f', invalid]);
    expect(result.code).toBe(78);
    expect(result.err).toContain("topics[0]: unknown key 'lockDuraton'");
  });

  it('lists, gets and deletes; a viewer may read but not delete', async () => {
    const list = await bptl(['list'], VIEWER_TOKEN);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/ENGINE\s+TOPIC\s+WORK UNIT\s+ENABLED\s+VERSION/);
    expect(list.out).toMatch(/local\s+orders\s+echo\s+false\s+2/);
    const get = await bptl(['get', 'local/orders'], VIEWER_TOKEN);
    expect(get.out).toContain('topic: orders');
    expect(get.out).toContain('lockDurationMs: 60000');
    const denied = await bptl(['delete', 'local/orders'], VIEWER_TOKEN);
    expect(denied.code).toBe(1);
    expect(denied.out).toContain('403');
    const deleted = await bptl(['delete', 'local/orders']);
    expect(deleted.code, deleted.out).toBe(0);
    expect(await api.store.topics.get({ engine: 'local', topic: 'orders' })).toBeUndefined();
  });

  it('prunes the topics a file no longer lists', async () => {
    const only = await file('only.yaml', 'topics:\n  - { topic: mails, workUnit: sleep }\n');
    const dry = await bptl(['apply', '-f', only, '--prune', '--dry-run']);
    expect(dry.out).toContain('deleted    local/fine (dry run)');
    expect(await api.store.topics.get({ engine: 'local', topic: 'fine' })).toBeDefined();
    const pruned = await bptl(['apply', '-f', only, '--prune']);
    expect(pruned.out).toContain('deleted    local/fine');
    expect((await api.store.topics.list()).map((t) => t.topic)).toEqual(['mails']);
  });
});

describe('bptl topics on more topics than one page', () => {
  const names = Array.from({ length: 150 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);

  beforeAll(async () => {
    await api.store.engines.create(engineInput({ name: 'bulk', url: 'http://127.0.0.1:8080/engine-rest' }), {
      actor: 'test',
    });
    for (const topic of names) {
      await api.store.topics.create(topicInput({ engine: 'bulk', topic, workUnit: 'echo' }), {
        actor: 'test',
      });
    }
  });

  it('lists all 150, following the API’s pages of 100', async () => {
    const json = await bptl(['list', '--engine', 'bulk', '--json'], VIEWER_TOKEN);
    expect(json.code, json.err).toBe(0);
    expect((JSON.parse(json.out) as Array<{ topic: string }>).map((t) => t.topic)).toEqual(names);
    const table = await bptl(['list', '--engine', 'bulk'], VIEWER_TOKEN);
    expect(table.out.trim().split('\n')).toHaveLength(151);
  });

  it('prunes beyond the first page', async () => {
    const one = await file(
      'bulk.yaml',
      `topics:\n  - { engine: bulk, topic: ${names[0]}, workUnit: echo }\n`,
    );
    const dry = await bptl(['apply', '-f', one, '--prune', '--dry-run']);
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toContain(`deleted    bulk/${names[149]} (dry run)`);
    expect(dry.out).toContain('0 created, 0 updated, 1 unchanged, 149 deleted (dry run)');
  });
});

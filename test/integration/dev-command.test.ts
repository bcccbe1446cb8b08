/**
 * The README's first command, `./bptl dev`, as a user runs it on a fresh clone: it reuses the servers the test
 * set-up started, imports bptl.config.yaml into its new (empty) configuration store, runs the demo process to
 * completion, prints the URLs and an admin token that the API takes, and stops cleanly on Ctrl-C (SIGINT).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { root } from '../support/paths.ts';

describe('./bptl dev', () => {
  it('runs the demo to a completed process instance and stops on SIGINT', async () => {
    const temporalPort = inject('temporalAddress').split(':')[1]!;
    const temporalUiPort = new URL(inject('temporalUiUrl')).port;
    const camundaPort = new URL(inject('camundaUrl')).port;
    // A data folder of its own: a fresh configuration store (PGlite), as on a fresh clone.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bptl-dev-'));
    const child = spawn(path.join(root, 'bptl'), ['dev'], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_PORT: temporalPort,
        TEMPORAL_UI_PORT: temporalUiPort,
        CAMUNDA_PORT: camundaPort,
        BPTL_API_PORT: '0',
        BPTL_DATA_DIR: dataDir,
        BPTL_WORKER_ID: `dev-test-${process.pid}`,
        BPTL_TASK_QUEUE: `dev-test-${process.pid}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (!out.includes('Press Ctrl-C to stop.') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    try {
      expect(out, err).toMatch(/Demo process instance [0-9a-f-]+: COMPLETED/);
      expect(out).toContain(`Temporal UI      ${inject('temporalUiUrl')}/`);
      expect(out).toContain(`Camunda Cockpit  http://127.0.0.1:${camundaPort}/`);
      expect(out).toMatch(/echo_order\s+Json/);
      expect(out).toMatch(/echo_requestedAt\s+Date/);
      expect(err).toContain('imported bptl.config.yaml');
      // The printed token opens the API, which serves the imported topics.
      const apiUrl = /BPTL API\s+(http:\/\/\S+)\/docs/.exec(out)?.[1];
      const token = /API token\s+(\S+)/.exec(out)?.[1];
      expect(apiUrl, out).toBeDefined();
      expect(token, out).toBeDefined();
      const topics = await fetch(`${apiUrl}/topics`, { headers: { authorization: `Bearer ${token}` } });
      expect(topics.status).toBe(200);
      expect(((await topics.json()) as Array<{ topic: string }>).map((t) => t.topic)).toContain(
        'bptl-demo-echo',
      );
      expect((await fetch(`${apiUrl}/topics`)).status).toBe(401);
      // The servers were already running, so they are reused, not started again.
      expect(err).toContain('Temporal is already running; reusing it');
      expect(err).toContain('Camunda is already running; reusing it');
    } finally {
      child.kill('SIGINT');
    }
    const stopped = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(15_000);
  });
});

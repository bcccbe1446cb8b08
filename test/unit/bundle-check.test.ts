/**
 * The workflow bundle: the check of what it pulls in (scripts/workflow-bundle-check.ts) passes on the real
 * workflows and names the module and its importers when a workflow reaches `node:fs` through a helper; and the
 * worker's bundle built at start (running from src/) leaves no temporary folder behind.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleCheckedWorkflows, UnsafeWorkflowImportError } from '../../scripts/workflow-bundle-check.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { withWorkflowBundle } from '../../src/worker/bundle-workflows.ts';
import { root } from '../support/paths.ts';

const fixture = path.join(root, 'test', 'fixtures', 'unsafe-workflow');

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger('test', { json: true, write: (line) => lines.push(line) }) };
}

describe('workflow bundle check', () => {
  it('passes on the real workflows', async () => {
    const code = await bundleCheckedWorkflows(path.join(root, 'src', 'workflows', 'index.ts'));
    expect(code).toContain('externalTask');
  });

  it('fails on a workflow that imports node:fs through a helper, naming the module and who imports it', async () => {
    const error = await bundleCheckedWorkflows(path.join(fixture, 'index.ts')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsafeWorkflowImportError);
    const { imports, message } = error as UnsafeWorkflowImportError;
    const rel = (file: string) => path.relative(process.cwd(), path.join(fixture, file));
    const chain = [rel('config-helper.ts'), rel('workflows.ts'), rel('index.ts')];
    expect(imports).toContainEqual({ module: 'node:fs', importedBy: chain });
    // An npm package outside the allowlist is named too, once (not once per file inside it).
    expect(imports).toContainEqual({ module: 'yaml', importedBy: chain });
    expect(imports).toHaveLength(2);
    expect(message).toContain(`'node:fs', imported by ${chain.join(' ← ')}`);
  });
});

describe('workflow bundle built at start', () => {
  it('bundles in a child process and removes the temporary folder once the worker has it', async () => {
    const { lines, logger } = recordingLogger();
    let seen: string | undefined;
    await withWorkflowBundle(
      logger,
      async ({ codePath }) => {
        expect(existsSync(codePath)).toBe(true);
        seen = codePath;
      },
      path.join(root, 'no-such-dir', 'workflow-bundle.js'),
    );
    expect(seen).toBeDefined();
    // Its own folder, not a count of /tmp/bptl-workflows-*: other processes on the machine may bundle meanwhile.
    expect(path.basename(path.dirname(seen!))).toMatch(/^bptl-workflows-/);
    expect(existsSync(path.dirname(seen!))).toBe(false);
    expect(lines.join('\n')).toContain('bundled at start');
  });

  it('removes the temporary folder when the worker fails to start', async () => {
    const { logger } = recordingLogger();
    let seen: string | undefined;
    const failed = withWorkflowBundle(
      logger,
      async ({ codePath }) => {
        seen = codePath;
        throw new Error('worker failed');
      },
      path.join(root, 'no-such-dir', 'workflow-bundle.js'),
    );
    await expect(failed).rejects.toThrow('worker failed');
    expect(existsSync(path.dirname(seen!))).toBe(false);
  });

  it('loads the prebuilt bundle when there is one, and says so', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bptl-prebuilt-test-'));
    try {
      const prebuilt = path.join(dir, 'workflow-bundle.js');
      await writeFile(prebuilt, '// a bundle');
      const { lines, logger } = recordingLogger();
      const used = await withWorkflowBundle(logger, async ({ codePath }) => codePath, prebuilt);
      expect(used).toBe(prebuilt);
      expect(existsSync(prebuilt)).toBe(true);
      expect(lines.join('\n')).toContain(`"path":${JSON.stringify(prebuilt)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

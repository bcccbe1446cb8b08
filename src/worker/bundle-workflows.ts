/**
 * The worker's workflow bundle. Built from dist/ (`npm run build`, scripts/bundle-workflows.ts), the bundle is
 * dist/workflow-bundle.js beside the compiled code, and the worker loads it (`{ codePath }`). Running from src/
 * (`bptl dev`, the tests), there is none: the workflows are bundled (webpack, via the Temporal SDK) in a child
 * process, so that the worker process does not keep webpack's memory: measured here, bundling in the worker left
 * it about 200 MiB larger for its whole life. That bundle's temporary folder is removed once the worker has it.
 * Run as a script, this file writes the bundle to the path given as its argument.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Logger } from '../logging/logger.ts';
import { workflowsPath } from './workflows-path.ts';

const here = fileURLToPath(import.meta.url);

/** Where `npm run build` writes the bundle: dist/workflow-bundle.js, beside dist/worker/. */
export const prebuiltBundlePath = path.join(path.dirname(here), '..', 'workflow-bundle.js');

/**
 * Calls `use` with the workflow bundle's path: the prebuilt bundle if there is one, else a bundle built in a
 * child process into a temporary folder, which is removed when `use` has settled (the worker reads the file
 * in `Worker.create`).
 */
export async function withWorkflowBundle<T>(
  logger: Logger,
  use: (bundle: { codePath: string }) => Promise<T>,
  prebuilt: string = prebuiltBundlePath,
): Promise<T> {
  if (existsSync(prebuilt)) {
    logger.info('workflow bundle: prebuilt', { path: prebuilt });
    return use({ codePath: prebuilt });
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'bptl-workflows-'));
  try {
    const codePath = path.join(dir, 'workflow-bundle.js');
    await promisify(execFile)(process.execPath, [here, codePath], { maxBuffer: 16 * 1024 * 1024 });
    logger.info('workflow bundle: bundled at start in a child process', {
      from: workflowsPath,
      path: codePath,
    });
    return await use({ codePath });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(out: string): Promise<void> {
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: silent as never });
  await writeFile(out, code);
}

if (process.argv[1] === here) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: bundle-workflows <output file>');
    process.exit(2);
  }
  await main(out);
}

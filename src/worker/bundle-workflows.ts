/**
 * Bundles the workflows (webpack, via the Temporal SDK) in a child process, so that the worker process does not
 * keep webpack's memory: measured here, bundling in the worker left it about 200 MiB larger for its whole life.
 * Run as a script, it writes the bundle to the path given as its argument.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from './workflows-path.ts';

const here = fileURLToPath(import.meta.url);

/** Bundles the workflows in a child process; resolves with the bundle's file path. */
export async function bundleWorkflowsInChild(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bptl-workflows-'));
  const codePath = path.join(dir, 'workflow-bundle.js');
  await promisify(execFile)(process.execPath, [here, codePath], { maxBuffer: 16 * 1024 * 1024 });
  return codePath;
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

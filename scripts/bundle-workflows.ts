/**
 * Builds the workflow bundle once, at build time, so that a worker running from dist/ loads it
 * (`workflowBundle: { codePath }`) instead of running webpack at every start; and checks it
 * (scripts/workflow-bundle-check.ts): no Node built-in, no npm package outside the allowlist.
 *
 *   node scripts/bundle-workflows.ts --out dist/workflow-bundle.js [--from src|dist|<index file>]   bundle, check, write
 *   node scripts/bundle-workflows.ts --check [--from src|dist|<index file>]                          bundle and check
 *
 * `--from src` (the default) bundles src/workflows/index.ts; `--from dist` the compiled dist/workflows/index.js,
 * which is what `npm run build` ships; any other value is taken as the path of a workflows' index file (the
 * bench's build in its results folder).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  bundleCheckedWorkflows,
  UnsafeWorkflowImportError,
  WorkflowBundleError,
} from './workflow-bundle-check.ts';

const root = path.resolve(import.meta.dirname, '..');
const entries = {
  src: path.join(root, 'src', 'workflows', 'index.ts'),
  dist: path.join(root, 'dist', 'workflows', 'index.js'),
};

function usage(message: string): never {
  console.error(`bundle-workflows: ${message}`);
  console.error(
    'usage: node scripts/bundle-workflows.ts (--out <file> | --check) [--from src|dist|<index file>]',
  );
  process.exit(2);
}

const { values } = parseArgs({
  options: { out: { type: 'string' }, from: { type: 'string', default: 'src' }, check: { type: 'boolean' } },
});
if (!values.out && !values.check) usage('give --out <file> or --check');
const from = values.from;
const entry = from === 'src' || from === 'dist' ? entries[from] : path.resolve(from);
const started = Date.now();
try {
  const code = await bundleCheckedWorkflows(entry);
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (values.out) {
    const out = path.resolve(values.out);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, code);
    console.log(
      `workflow bundle of ${path.relative(root, entry)} checked and written to ${path.relative(root, out)} (${Math.round(code.length / 1024)} KiB, ${took})`,
    );
  } else {
    console.log(
      `workflow bundle of ${path.relative(root, entry)}: no Node built-in, no package outside the allowlist (${took})`,
    );
  }
} catch (error) {
  if (!(error instanceof UnsafeWorkflowImportError || error instanceof WorkflowBundleError)) throw error;
  console.error(error.message);
  process.exit(1);
}

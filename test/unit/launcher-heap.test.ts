/**
 * Every launcher runs Node with the same memory flags (docs/benchmarks.md): ./bptl, `npm start`, `npm run dev`
 * and the image read BPTL_HEAP_MB with the same default as the bench's children, so that what the bench
 * measures is what users run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BPTL_NODE_FLAGS, DEFAULT_HEAP_MIB } from '../../bench/bptl-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;

describe('the launchers', () => {
  it.each([
    ['./bptl', read('bptl'), `--max-old-space-size="\${BPTL_HEAP_MB:-${DEFAULT_HEAP_MIB}}"`],
    ['npm start', scripts.start!, `--max-old-space-size=\${BPTL_HEAP_MB:-${DEFAULT_HEAP_MIB}}`],
    ['npm run dev', scripts.dev!, `--max-old-space-size=\${BPTL_HEAP_MB:-${DEFAULT_HEAP_MIB}}`],
    ['the image', read('Dockerfile'), `--max-old-space-size=\\"\${BPTL_HEAP_MB:-${DEFAULT_HEAP_MIB}}\\"`],
  ])('%s caps the old generation by BPTL_HEAP_MB and sets the bench flags', (_name, text, heapFlag) => {
    expect(text).toContain(heapFlag);
    for (const flag of BPTL_NODE_FLAGS) expect(text).toContain(flag);
  });

  it('gives the image the same default', () => {
    expect(read('Dockerfile')).toMatch(
      new RegExp(`ENV MALLOC_ARENA_MAX=2 BPTL_HEAP_MB=${DEFAULT_HEAP_MIB}\\b`),
    );
  });
});

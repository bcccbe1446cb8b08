/** Paths the tests share. */
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const testDataDir = path.resolve(process.env.BPTL_TEST_DATA_DIR ?? path.join(root, '.data', 'test'));
export const testServerBinary = path.join(root, '.tools', 'venv', 'bin', 'temporal-test-server');
export const historiesDir = path.join(root, 'test', 'workflows', 'histories');

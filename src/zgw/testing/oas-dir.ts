/**
 * Where the official OpenAPI files of the ZGW APIs are read from at test time. They are never copied into the
 * repository: `BPTL_ZGW_OAS_DIR`, else `<repo>/../shared/zgw-oas`, else `/work/shared/zgw-oas`.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file of each API the loopback server speaks, by the server's API name. */
export const ZGW_OAS_FILES = {
  zaken: 'zaken-1.5.1.yaml',
  catalogi: 'catalogi-1.3.1.yaml',
  documenten: 'documenten-1.4.3.yaml',
  objects: 'objects-2.7.0.yaml',
  objecttypes: 'objecttypes-2.2.2.yaml',
} as const;

/** The APIs of the loopback server. */
export type ZgwTestApi = keyof typeof ZGW_OAS_FILES;

/** The folder that holds the OpenAPI files; throws naming the places looked at when none has them. */
export function zgwOasDir(env: NodeJS.ProcessEnv = process.env): string {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const candidates = [
    env.BPTL_ZGW_OAS_DIR,
    resolve(repo, '../shared/zgw-oas'),
    '/work/shared/zgw-oas',
  ].filter((dir): dir is string => typeof dir === 'string' && dir !== '');
  for (const dir of candidates) {
    if (existsSync(resolve(dir, ZGW_OAS_FILES.zaken))) return dir;
  }
  throw new Error(
    `the ZGW OpenAPI files (${ZGW_OAS_FILES.zaken}, ...) are in none of: ${candidates.join(', ')}`,
  );
}

/**
 * What `npm ci` and `npm run build` ship: one protobufjs for all of Temporal's packages (package.json
 * `overrides`), and no built module that imports a dev dependency (those are pruned from the image).
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/paths.ts';

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const buildConfig = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
  exclude?: string[];
};

/** Every .ts file under `dir`, as paths relative to the root. */
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** The package a bare import specifier names (`@scope/name/sub` → `@scope/name`), or undefined for a path. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('packaging', () => {
  it('resolves one protobufjs from each of Temporal packages', () => {
    // Two copies break loading a history from JSON ("type must be a Type").
    const resolved = new Set(
      ['client', 'common', 'proto', 'worker'].map((name) => {
        const from = createRequire(path.join(root, 'node_modules', '@temporalio', name, 'package.json'));
        return realpathSync(from.resolve('protobufjs'));
      }),
    );
    expect([...resolved]).toHaveLength(1);
  });

  it('builds no module that imports a dev dependency', () => {
    const excluded = new Set(buildConfig.exclude ?? []);
    // An excluded entry is a file or a folder (the loopback ZGW server, src/zgw/testing, imports Ajv).
    const isExcluded = (file: string) => [...excluded].some((e) => file === e || file.startsWith(`${e}/`));
    const devDependencies = new Set(Object.keys(pkg.devDependencies));
    const devImports = (file: string) =>
      [
        ...readFileSync(path.join(root, file), 'utf8').matchAll(
          /^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm,
        ),
      ]
        .map(([, specifier]) => specifier && packageOf(specifier))
        .filter((name): name is string => name !== undefined && devDependencies.has(name));
    const offenders = sources('src')
      .filter((file) => !isExcluded(file))
      .flatMap((file) => devImports(file).map((name) => `${file} → ${name}`));
    expect(offenders).toEqual([]);
    // The test helper imports @temporalio/testing, and is left out of the build for it: the check sees it.
    expect(devImports('src/work-units/testing.ts')).toContain('@temporalio/testing');
    expect(excluded).toContain('src/work-units/testing.ts');
    expect(devImports('src/zgw/testing/oas-operations.ts')).toContain('ajv');
    expect(isExcluded('src/zgw/testing/oas-operations.ts')).toBe(true);
  });
});

/** Turns zod issues into lines that name the field: `topics[0].workUnit: unknown work unit 'x'`. */
import type { z } from 'zod';

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

export function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string {
  return issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const where = issue.path.length ? `${formatPath(issue.path)}: ` : '';
        return `  - ${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      }
      return `  - ${formatPath(issue.path)}: ${issue.message}`;
    })
    .join('\n');
}

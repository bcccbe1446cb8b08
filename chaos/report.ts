/**
 * The chaos run's result: the table (one row per scenario) as text, Markdown and JSON, and the latest full run's
 * table in docs/reliability.md between its markers, with the commit and the machine it ran on.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from '../bench/environment.ts';
import type { ApiFuzzResult } from './api-fuzz.ts';
import type { Row } from './drive.ts';
import type { Profile } from './scenario.ts';

export interface ChaosResult {
  runId: string;
  profile: Profile;
  command: string;
  startedAt: string;
  durationSeconds: number;
  environment: Environment;
  rows: Row[];
  apiFuzz?: ApiFuzzResult | { error: string };
  /** Rows that failed, and the fuzz if it found anything. */
  failed: string[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const COLUMNS = [
  'scenario',
  'tasks',
  'lost',
  'duplicated',
  'effects applied / calls',
  'incidents',
  'gone',
  'max recovery',
  'peak RSS',
  'result',
] as const;

function cells(row: Row): string[] {
  return [
    row.title,
    String(row.tasks),
    String(row.lost),
    String(row.duplicated),
    `${row.effectsApplied} / ${row.calls}`,
    String(row.incidents),
    String(row.gone),
    seconds(row.recoveryMs),
    `${row.peakRssMiB} MiB`,
    row.problems.length === 0 ? 'ok' : `FAILED: ${row.problems.join('; ')}`,
  ];
}

export function renderText(result: ChaosResult): string {
  const table = [COLUMNS.map(String), ...result.rows.map(cells)];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const lines = table.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const fuzz = result.apiFuzz;
  if (fuzz)
    lines.push(
      '',
      'error' in fuzz
        ? `API fuzz: could not run: ${fuzz.error}`
        : `API fuzz (schemathesis ${fuzz.schemathesisVersion}): ${fuzz.calls} calls over ${fuzz.operations} operations, ${fuzz.serverErrors} 5xx, ${fuzz.mismatches} not matching the document`,
    );
  lines.push(
    '',
    result.failed.length === 0 ? 'all rows: lost 0, duplicated 0' : `FAILED: ${result.failed.join(', ')}`,
  );
  return lines.join('\n');
}

export function renderMarkdown(result: ChaosResult): string {
  const e = result.environment;
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `Run \`${result.runId}\` (profile ${result.profile}), ${result.startedAt}, ${Math.round(result.durationSeconds / 60)} min, commit \`${e.commit.sha?.slice(0, 7) ?? '?'}\`${e.commit.dirty ? ' (with uncommitted changes)' : ''}; ${e.machine.nproc} cores (${e.machine.cpuModel ?? 'unknown CPU'}), ${Math.round(e.machine.memoryMiB / 1024)} GiB; Node ${e.versions.node}, Temporal CLI ${e.versions.temporalCli ?? '?'}, Camunda ${e.versions.camunda ?? '?'}.`,
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...result.rows.map((row) => `| ${cells(row).map(cell).join(' | ')} |`),
    '',
  ];
  const fuzz = result.apiFuzz;
  if (fuzz && !('error' in fuzz))
    lines.push(
      `API under a property-based fuzzer (schemathesis ${fuzz.schemathesisVersion}, driven by /openapi.json): ${fuzz.calls} calls over ${fuzz.operations} operations, **${fuzz.serverErrors} 5xx**, **${fuzz.mismatches} answers not matching the document**.`,
      '',
    );
  else if (fuzz) lines.push(`API fuzz: could not run: ${fuzz.error}`, '');
  lines.push('What showed that each fault happened:', '');
  for (const row of result.rows) lines.push(`- ${row.title}: ${row.fault?.evidence ?? 'no fault recorded'}`);
  return `${lines.join('\n')}\n`;
}

export async function writeResult(outDir: string, result: ChaosResult): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `${result.runId}.json`);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(file, json);
  await writeFile(path.join(outDir, 'latest.json'), json);
  await writeFile(path.join(outDir, 'latest.md'), renderMarkdown(result));
  return file;
}

export const DOC_BEGIN = '<!-- chaos:latest:begin -->';
export const DOC_END = '<!-- chaos:latest:end -->';

/** Replaces the table between the markers of docs/reliability.md. */
export async function updateDoc(file: string, result: ChaosResult): Promise<void> {
  const doc = await readFile(file, 'utf8');
  const begin = doc.indexOf(DOC_BEGIN);
  const end = doc.indexOf(DOC_END);
  if (begin < 0 || end < begin) throw new Error(`${file} has no ${DOC_BEGIN} … ${DOC_END} markers`);
  await writeFile(
    file,
    `${doc.slice(0, begin + DOC_BEGIN.length)}\n\n${renderMarkdown(result)}\n${doc.slice(end)}`,
  );
}

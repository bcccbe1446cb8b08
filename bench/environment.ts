/**
 * What was measured, and where: the commit (and whether the tree had changes), the machine, the versions of
 * Node, the SDK and both servers. Recorded in every result so figures are never read without their context.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalBinary } from '../src/local/temporal-dev-server.ts';

export interface Environment {
  commit: {
    sha: string | undefined;
    dirty: boolean | undefined;
    subject: string | undefined;
    /** `git status --porcelain`: what differed from the commit (at most 60 entries). */
    changes: string[];
  };
  machine: {
    nproc: number;
    cpuModel: string | undefined;
    memoryMiB: number;
    kernel: string;
    /** 1-minute load average when the run started (other programs show up here). */
    loadAverageAtStart: number;
  };
  versions: {
    node: string;
    temporalSdk: string | undefined;
    temporalCli: string | undefined;
    temporalServer: string | undefined;
    camunda: string | undefined;
    externalTaskClient: string | undefined;
  };
}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trimEnd(); // not trim(): `git status --porcelain` lines start with a space
  } catch {
    return undefined;
  }
}

function packageVersion(root: string, name: string): string | undefined {
  try {
    const file = path.join(root, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

async function temporalServerVersion(address: string): Promise<string | undefined> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address });
    const info = await connection.workflowService.getSystemInfo({});
    return info.serverVersion ?? undefined;
  } catch {
    return undefined;
  } finally {
    await connection?.close().catch(() => {});
  }
}

export async function describeEnvironment(
  root: string,
  servers: { temporalAddress: string; camundaVersion: () => Promise<string | undefined> },
): Promise<Environment> {
  const status = git(root, ['status', '--porcelain']);
  let temporalCli: string | undefined;
  try {
    temporalCli = execFileSync(temporalBinary(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    temporalCli = undefined;
  }
  return {
    commit: {
      sha: git(root, ['rev-parse', 'HEAD']),
      dirty: status === undefined ? undefined : status.length > 0,
      subject: git(root, ['log', '-1', '--format=%s'])?.slice(0, 120),
      changes: (status ?? '').split('\n').filter(Boolean).slice(0, 60),
    },
    machine: {
      nproc: availableParallelism(),
      cpuModel: cpus()[0]?.model,
      memoryMiB: Math.round(totalmem() / 1024 / 1024),
      kernel: release(),
      loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    },
    versions: {
      node: process.version,
      temporalSdk: packageVersion(root, '@temporalio/worker'),
      temporalCli,
      temporalServer: await temporalServerVersion(servers.temporalAddress),
      camunda: await servers.camundaVersion(),
      externalTaskClient: packageVersion(root, 'camunda-external-task-client-js'),
    },
  };
}

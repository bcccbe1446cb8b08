/**
 * The `bptl run` processes of one scenario, started as a user starts them (`src/cli/main.ts run --config`),
 * through the fault proxies, with their memory sampled. A killed process can be replaced by a new one with the
 * same worker id, as a supervisor (systemd, Kubernetes) restarts a crashed one.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { type BptlProcess, spawnBptl } from '../bench/bptl-process.ts';
import { RssSampler } from '../bench/rss.ts';
import { killProcess } from './faults/kill.ts';

export const CHAOS_ENGINE = 'chaos';

export interface FleetMember {
  readonly index: number;
  readonly workerId: string;
  readonly process: BptlProcess;
}

export interface BptlFleet {
  readonly members: readonly FleetMember[];
  /** Starts one more `bptl run`; resolves once it polls. */
  start(workerId: string): Promise<FleetMember>;
  /** SIGKILL of a member; resolves once it is gone (verified), with the time of the kill. */
  kill(member: FleetMember): Promise<{ sentAt: number; goneAt: number; signal: string }>;
  /** Peak resident memory of any member, MiB. */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

export async function startFleet(options: {
  root: string;
  logDir: string;
  name: string;
  temporalAddress: string;
  camundaUrl: string;
  taskQueue: string;
  topics: Array<Record<string, unknown>>;
  env?: Record<string, string>;
}): Promise<BptlFleet> {
  const configFile = path.join(options.logDir, `${options.name}.config.yaml`);
  await writeFile(
    configFile,
    stringify({ engines: [{ name: CHAOS_ENGINE, url: options.camundaUrl }], topics: options.topics }),
  );
  const members: FleetMember[] = [];
  const rss = new RssSampler(500);
  let peak = 0;
  const entry = path.join(options.root, 'src', 'cli', 'main.ts');

  return {
    members,
    async start(workerId) {
      const index = members.length;
      const child = spawnBptl({
        command: 'run',
        root: options.root,
        entry,
        configFile,
        env: {
          TEMPORAL_ADDRESS: options.temporalAddress,
          TEMPORAL_NAMESPACE: 'default',
          BPTL_TASK_QUEUE: options.taskQueue,
          BPTL_WORKER_ID: workerId,
          BPTL_DATA_DIR: path.join(options.logDir, `${options.name}-data`),
          ...options.env,
        },
        logFile: path.join(options.logDir, `${options.name}-bptl-${index}.log`),
        readyMessages: ['worker running', 'polling'],
      });
      const member = { index, workerId, process: child };
      members.push(member);
      rss.watch(`bptl-${index}`, child.pid);
      await child.ready;
      return member;
    },
    async kill(member) {
      const { sentAt, goneAt } = await killProcess(member.process.pid);
      await member.process.stop(0); // the exit is seen (and its log closed)
      return { sentAt, goneAt, signal: 'SIGKILL' };
    },
    peakRssMiB() {
      const summary = rss.summary();
      peak = Math.max(peak, ...Object.values(summary.peakMiB));
      return Math.round(peak);
    },
    async stop() {
      await Promise.allSettled(members.map((m) => m.process.stop(20_000)));
      rss.stop();
    },
  };
}

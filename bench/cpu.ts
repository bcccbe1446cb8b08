/**
 * Where the CPU went during a measurement: each named process's CPU time (from /proc/<pid>/stat) as a
 * percentage of one core, and the whole machine's busy share (from /proc/stat), so that load from other
 * programs on the machine shows up as "other".
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process, in ticks; undefined when it is gone. */
function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12)
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Busy and total ticks of all cores. */
function machineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export interface CpuUsage {
  /** Wall time of the measurement. */
  seconds: number;
  /** Per process: percent of one core (200 = two cores busy). */
  processPercent: Record<string, number>;
  /** The whole machine: percent of all cores busy. */
  machineBusyPercent: number;
  /** Cores busy with processes not named here (other programs on the machine), in percent of one core. */
  otherPercent: number;
  cores: number;
}

/** Starts a CPU measurement of the named processes; `stop()` returns the usage since. */
export function startCpuMeter(pids: Record<string, number | undefined>): { stop(): CpuUsage } {
  const named = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined);
  const t0 = Date.now();
  const before = new Map(named.map(([name, pid]) => [name, processTicks(pid)]));
  const machine0 = machineTicks();
  return {
    stop() {
      const seconds = (Date.now() - t0) / 1000;
      const hz = clockTicks();
      const processPercent: Record<string, number> = {};
      let ours = 0;
      for (const [name, pid] of named) {
        const start = before.get(name);
        const end = processTicks(pid);
        if (start === undefined || end === undefined || seconds <= 0) continue;
        const pct = ((end - start) / hz / seconds) * 100;
        processPercent[name] = Math.round(pct);
        ours += pct;
      }
      const machine1 = machineTicks();
      const total = machine1.total - machine0.total;
      const busy = machine1.busy - machine0.busy;
      const cores = availableParallelism();
      const machineBusyPercent = total > 0 ? Math.round((busy / total) * 100) : 0;
      return {
        seconds: Math.round(seconds * 10) / 10,
        processPercent,
        machineBusyPercent,
        otherPercent: Math.max(0, Math.round(machineBusyPercent * cores - ours)),
        cores,
      };
    },
  };
}

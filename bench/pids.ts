/**
 * Which process listens on a TCP port, from /proc (Linux only): so the bench can measure the CPU of the
 * Temporal and Camunda servers, whether it started them or they were running already; and so the chaos run
 * can kill the server behind a port.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue; // 0A = LISTEN
      const hexPort = local.split(':').at(-1);
      if (hexPort && Number.parseInt(hexPort, 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/**
 * The pids of the processes listening on `port` (several when a listening socket is shared, e.g. inherited by
 * a child), sorted; empty when none is found or none is ours to inspect.
 */
export function pidsListeningOn(port: number): number[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  const targets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (targets.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) {
          pids.push(Number(entry));
          break;
        }
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  return pids.sort((a, b) => a - b);
}

/** The pid of the process listening on `port`, or undefined (not found, or not ours to inspect). */
export function pidListeningOn(port: number): number | undefined {
  return pidsListeningOn(port)[0];
}

/** The port of a `host:port` address or of a URL. */
export function portOf(address: string): number | undefined {
  const match = /:(\d+)(?:\/|$)/.exec(address.replace(/^[a-z]+:\/\//, ''));
  return match ? Number(match[1]) : undefined;
}

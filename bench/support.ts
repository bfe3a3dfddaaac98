import { spawn } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres, type PostgresEngine } from '../platform/postgres';
import { migratePostgres } from '../schemas/db/migrate';

/** A fresh, migrated embedded PostgreSQL (wal_level=logical, default durability) for one benchmark. */
export async function benchPostgres(): Promise<PostgresEngine & { dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'opstower-bench-'));
  await chmod(dir, 0o755);
  const engine = await startEmbeddedPostgres({ dataDir: dir, log: pino({ level: 'silent' }) });
  await migratePostgres(engine.url);
  return { ...engine, dir };
}

/** Runs a command and returns its stdout; rejects with its stderr on failure. */
export function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out + err) : reject(new Error(`${cmd} exited ${code}: ${err.trim()}`))));
  });
}

/**
 * pgbench TPC-B on the same server, as the reference figure beside ours
 * (STACK.md measured ~3,450 tps with 8 clients here).
 */
export async function pgbenchTps(url: string, seconds: number, clients = 8): Promise<number> {
  const u = new URL(url);
  const env = { PGPASSWORD: decodeURIComponent(u.password) };
  const conn = ['-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username)];
  await run('psql', [...conn, '-d', u.pathname.slice(1), '-qc', 'DROP DATABASE IF EXISTS pgbench', '-c', 'CREATE DATABASE pgbench'], env);
  await run('pgbench', ['-i', '-q', '-s', '8', ...conn, 'pgbench'], env);
  const out = await run('pgbench', ['-n', '-c', String(clients), '-j', '2', '-T', String(seconds), ...conn, 'pgbench'], env);
  const m = /tps = ([\d.]+)/.exec(out);
  if (!m) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(m[1]);
}

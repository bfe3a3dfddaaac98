import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IngestProgress } from '../../schemas/ingest';
import { freePort } from './server-process';

/**
 * The standalone ingest as `npm run ingest` runs it (`node --import tsx ingest/main.ts`),
 * with chDB embedded under DATA_DIR, or a ClickHouse server when `clickhouseUrl` is given.
 * It is started as a process group: kill() SIGKILLs the whole group (as a container kill
 * would) and waits until no member is left, so that the next start never meets a
 * survivor holding the chDB directory.
 */

export interface IngestProcessOptions {
  databaseUrl: string;
  dataDir: string;
  slot: string;
  /** A ClickHouse server shared with other processes; unset: chDB inside the child. */
  clickhouseUrl?: string;
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export interface IngestProcess {
  readonly pid: number;
  readonly port: number;
  output(): string;
  readonly exited: Promise<Exit>;
  /** The pipeline's progress from /healthz; null while it does not answer. */
  health(): Promise<IngestProgress | null>;
  /** Polls /healthz until `check` holds; throws if the process exits or the ingest fails first. */
  waitUntil(check: (p: IngestProgress) => boolean, timeoutMs: number, what: string): Promise<IngestProgress>;
  /** SIGKILL to the process group; resolves when every member is gone. */
  kill(): Promise<void>;
  /** SIGTERM (as `docker stop` sends); resolves with the exit. */
  stop(timeoutMs?: number): Promise<Exit>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MAX_OUTPUT = 200_000;

/** Live (non-zombie) processes of a process group, from /proc. */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

export async function startIngestProcess(options: IngestProcessOptions): Promise<IngestProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: options.dataDir,
    INGEST_SLOT: options.slot,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test'
  };
  // chDB embedded in the child unless a server is named: never one from the caller's environment.
  if (options.clickhouseUrl) env.CLICKHOUSE_URL = options.clickhouseUrl;
  else delete env.CLICKHOUSE_URL;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'ingest/main.ts'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = proc.pid;
  if (pid === undefined) throw new Error('could not spawn the ingest process');
  let out = '';
  const collect = (d: Buffer) => {
    out += d;
    if (out.length > MAX_OUTPUT) out = out.slice(-MAX_OUTPUT / 2);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  let gone = false;
  const exited = new Promise<Exit>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then(() => (gone = true));

  async function health(): Promise<IngestProgress | null> {
    if (gone) return null;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return ((await res.json()) as { ingest: IngestProgress }).ingest;
    } catch {
      return null;
    }
  }

  async function groupGone(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (groupMembers(pid!).length > 0) {
      if (Date.now() > deadline) throw new Error(`ingest process group ${pid} still has members ${groupMembers(pid!).join(', ')}`);
      await sleep(20);
    }
  }

  return {
    pid,
    port,
    output: () => out,
    exited,
    health,
    async waitUntil(check, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const p = await health();
        if (p && check(p)) return p;
        if (p?.state === 'failed') throw new Error(`the ingest failed while waiting for ${what}: ${p.lastError}\n${out}`);
        if (gone) throw new Error(`the ingest exited (${JSON.stringify(await exited)}) while waiting for ${what}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last progress ${JSON.stringify(p)}:\n${out}`);
        await sleep(50);
      }
    },
    async kill() {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
      await exited;
      await groupGone(10_000);
    },
    async stop(timeoutMs = 30_000) {
      if (!gone) proc.kill('SIGTERM');
      const exit = await Promise.race([exited, sleep(timeoutMs).then(() => null)]);
      if (!exit) throw new Error(`the ingest did not stop within ${timeoutMs} ms of SIGTERM:\n${out}`);
      await groupGone(timeoutMs);
      return exit;
    }
  };
}

/**
 * Prepares DATA_DIR's chDB (in a process of its own: chDB binds one directory per process)
 * so that change_log parts are never merged: ReplacingMergeTree merges would collapse a
 * change landed twice, and a count without FINAL could no longer see it. The setting is
 * kept in the table's metadata, so the ingest processes started later inherit it.
 */
export async function keepEveryChangeLogPart(dataDir: string): Promise<void> {
  const root = process.cwd();
  const script = `
    const { openEmbeddedClickHouse } = await import(${JSON.stringify(path.join(root, 'platform/clickhouse.ts'))});
    const { migrateClickHouse } = await import(${JSON.stringify(path.join(root, 'warehouse/migrate.ts'))});
    const ch = await openEmbeddedClickHouse(${JSON.stringify(dataDir)});
    await migrateClickHouse(ch.client);
    await ch.client.command({ query: 'ALTER TABLE change_log MODIFY SETTING max_bytes_to_merge_at_max_space_in_pool = 1, max_bytes_to_merge_at_min_space_in_pool = 1, parts_to_delay_insert = 100000, parts_to_throw_insert = 100000' });
    await ch.close();`;
  await promisify(execFile)(path.resolve('node_modules/.bin/tsx'), ['--input-type=module', '-e', script], { env: { ...process.env, LOG_LEVEL: 'warn' } });
}

// Shared by the ingest benchmarks: a stocked network to write changes against, and the
// ingest itself (IngestPipeline + chDB) in a child process. A child because chDB binds
// one data directory per process (`npm run bench` runs every benchmark in one process),
// and so that its peak RSS is the ingest's alone, not the load generator's.
// This file is also that child's entry point (see the end).
import { fork, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance as nodePerformance } from 'node:perf_hooks';
import type { ClickHouseClient } from '@clickhouse/client';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import pino from 'pino';
import type { CoreDb } from '../app/lib/server/core/db';
import type { IngestOptions } from '../ingest/pipeline';
import { generateNetwork } from './core-data';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one machine. */
export const clock = () => performance.timeOrigin + performance.now();

/** CPU time of this process, all threads (chDB's included), in seconds. */
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export async function benchTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export interface StockPair {
  productId: number;
  stock: number;
  supplier: number;
  customer: number;
}

/**
 * Warehouses, products and customers (generateNetwork without history), and an
 * opening balance of 1M units per product x warehouse, so that outbound moves of
 * one unit never run a real location below zero.
 */
export async function stockedNetwork(db: CoreDb, products: number, progress: (label: string, f: number) => void): Promise<StockPair[]> {
  await generateNetwork(db, { warehouses: 4, products, moves: 0 }, progress);
  await db.execute(sql`
    INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, created_at, done_at)
    SELECT p.id, 1000000, v.id, s.id, 'done', 'opening_balance', p.id, now(), now()
    FROM products p JOIN locations s ON s.kind = 'stock' JOIN locations v ON v.warehouse_id = s.warehouse_id AND v.kind = 'supplier'`);
  await db.execute(sql`
    INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual)
    SELECT m.product_id, m.location_id, sum(m.qty)::int, 0, l.kind <> 'stock'
    FROM (SELECT product_id, to_location_id AS location_id, qty FROM stock_moves WHERE state = 'done'
          UNION ALL SELECT product_id, from_location_id, -qty FROM stock_moves WHERE state = 'done') m
    JOIN locations l ON l.id = m.location_id
    GROUP BY 1, 2, l.kind`);
  // Customer locations get a zero balance row, so that an outbound move updates (not inserts) it.
  await db.execute(sql`
    INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual)
    SELECT p.id, c.id, 0, 0, true FROM products p JOIN locations c ON c.kind = 'customer' ON CONFLICT DO NOTHING`);
  await db.execute(sql`ANALYZE`);
  const { rows } = await db.execute<{ product_id: number; stock: number; supplier: number; customer: number }>(sql`
    SELECT p.id AS product_id, s.id AS stock, v.id AS supplier, c.id AS customer
    FROM products p JOIN locations s ON s.kind = 'stock'
    JOIN locations v ON v.warehouse_id = s.warehouse_id AND v.kind = 'supplier'
    JOIN locations c ON c.warehouse_id = s.warehouse_id AND c.kind = 'customer'
    ORDER BY p.id, s.id`);
  return rows.map((r) => ({ productId: Number(r.product_id), stock: Number(r.stock), supplier: Number(r.supplier), customer: Number(r.customer) }));
}

/**
 * CPU seconds used by the walsender serving `slot` (PostgreSQL's side of logical decoding),
 * sampled from /proc while it runs: call the returned function once the reader is done.
 */
export function walsenderCpu(pool: pg.Pool, slot: string): () => Promise<number> {
  const seen = new Map<number, number>();
  let stopped = false;
  const sample = async () => {
    const { rows } = await pool.query<{ pid: number | null }>('SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    const pid = rows[0]?.pid;
    if (!pid) return;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f.length > 13) seen.set(pid, (Number(f[11]) + Number(f[12])) / 100); // utime + stime, in ticks of 1/100 s
  };
  const loop = (async () => {
    while (!stopped) {
      await sample().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return [...seen.values()].reduce((a, b) => a + b, 0);
  };
}

/** The audit message the core emits in every transaction (transact()), as SQL. */
export function auditStatement(action: string): string {
  const json = JSON.stringify({ actorId: null, role: 'system', actor: 'bench', action }).replace(/'/g, "''");
  return `SELECT pg_logical_emit_message(true, 'opstower.audit', '${json}')`;
}

// ---- the ingest child: messages both ways ----

type ToChild = { t: 'start' } | { t: 'stop' } | { t: 'ping'; id: number };
export type FromChild =
  | { t: 'ready' }
  | { t: 'started'; at: number; cpuSeconds: number }
  | { t: 'state'; state: string; at: number; error: string | null }
  | { t: 'landed'; lsn: string; at: number; transactions: number; rows: number }
  | { t: 'visible'; lsn: string; at: number; transactions: number; rows: number }
  | { t: 'pong'; id: number; at: number }
  | { t: 'stopped'; maxRssMb: number; rowsLanded: number; cpuSeconds: number; breakdown?: string }
  | { t: 'error'; message: string };

export interface IngestChildOptions {
  url: string;
  slot: string;
  /** chDB's data directory: the same one for every run of the ingest on this slot. */
  dataDir: string;
  /** Extra node flags for the child, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] (env BENCH_INGEST_NODE_ARGS). */
  nodeArgs?: string[];
}

/** The ingest running in a child process, seen from the benchmark. */
export class IngestChild {
  readonly #proc: ChildProcess;
  readonly #listeners = new Set<(m: FromChild) => void>();
  #exited: Promise<number | null>;
  #failure: Error | null = null;

  private constructor(proc: ChildProcess) {
    this.#proc = proc;
    proc.on('message', (m: FromChild) => {
      if (m.t === 'error' || (m.t === 'state' && m.state === 'failed')) this.#failure = new Error(`ingest child: ${m.t === 'error' ? m.message : m.error}`);
      for (const l of this.#listeners) l(m);
    });
    this.#exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  }

  /** Forks the child; it opens chDB and migrates it, then waits for start(). */
  static async launch(o: IngestChildOptions): Promise<IngestChild> {
    const extra = o.nodeArgs ?? (process.env.BENCH_INGEST_NODE_ARGS ? process.env.BENCH_INGEST_NODE_ARGS.split(' ') : []);
    const proc = fork(fileURLToPath(import.meta.url), [], {
      execArgv: [...process.execArgv, ...extra],
      env: { ...process.env, BENCH_INGEST_CHILD: '1', BENCH_INGEST_URL: o.url, BENCH_INGEST_SLOT: o.slot, BENCH_INGEST_DIR: o.dataDir },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    });
    const child = new IngestChild(proc);
    await child.next((m) => m.t === 'ready', 120_000, 'the ingest child to open chDB');
    return child;
  }

  on(listener: (m: FromChild) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first message that matches, or a rejection on failure, exit or timeout. */
  next<T extends FromChild>(match: (m: FromChild) => m is T, timeoutMs: number, what: string): Promise<T>;
  next(match: (m: FromChild) => boolean, timeoutMs: number, what: string): Promise<FromChild>;
  next(match: (m: FromChild) => boolean, timeoutMs: number, what: string): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      if (this.#failure) return reject(this.#failure);
      const done = (fn: () => void) => (clearTimeout(timer), off(), fn());
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
      const off = this.on((m) => {
        if (this.#failure) done(() => reject(this.#failure!));
        else if (match(m)) done(() => resolve(m));
      });
      void this.#exited.then((code) => done(() => reject(this.#failure ?? new Error(`ingest child exited (${code}) while waiting for ${what}`))));
    });
  }

  send(m: ToChild): void {
    this.#proc.send(m);
  }

  /** Starts the pipeline; resolves with the child's clock and CPU time at the call to start(). */
  async start(): Promise<{ at: number; cpuSeconds: number }> {
    const started = this.next((m): m is Extract<FromChild, { t: 'started' }> => m.t === 'started', 10_000, 'the pipeline to start');
    this.send({ t: 'start' });
    return await started;
  }

  /** Child clock minus ours, from the fastest of a few round trips (a sanity check on `clock`). */
  async clockOffset(): Promise<number> {
    let best = { rtt: Infinity, offset: 0 };
    for (let id = 0; id < 5; id++) {
      const sent = clock();
      const pong = this.next((m): m is Extract<FromChild, { t: 'pong' }> => m.t === 'pong' && m.id === id, 5_000, 'a pong');
      this.send({ t: 'ping', id });
      const p = await pong;
      const back = clock();
      if (back - sent < best.rtt) best = { rtt: back - sent, offset: p.at - (sent + back) / 2 };
    }
    return best.offset;
  }

  async stop(): Promise<Extract<FromChild, { t: 'stopped' }>> {
    const stopped = this.next((m): m is Extract<FromChild, { t: 'stopped' }> => m.t === 'stopped', 60_000, 'the ingest child to stop');
    this.send({ t: 'stop' });
    const s = await stopped;
    await this.#exited;
    return s;
  }

  /** Ends the child if a benchmark fails before stop(). */
  async kill(): Promise<void> {
    if (this.#proc.exitCode === null && this.#proc.signalCode === null) {
      this.#proc.kill('SIGTERM');
      await this.#exited;
    }
  }
}

/**
 * BENCH_INGEST_BREAKDOWN=1: where the ingest's time goes, from start() to stop(): time spent
 * awaiting ClickHouse by kind of call, and how busy the main thread (decode, batch, TSV) was.
 */
function timeClickHouse(client: ClickHouseClient): () => string {
  type Call = (p: { table?: string; query?: string }) => Promise<unknown>;
  const methods = client as unknown as Record<'insert' | 'query' | 'command', Call>;
  const totals = new Map<string, { n: number; ms: number }>();
  for (const m of ['insert', 'query', 'command'] as const) {
    const call = methods[m].bind(client);
    methods[m] = async (p) => {
      const t = performance.now();
      try {
        return await call(p);
      } finally {
        const key = m === 'insert' ? `insert ${p.table}` : `${m} ${String(p.query).trim().split(/\s+/).slice(0, 3).join(' ')}`;
        const s = totals.get(key) ?? { n: 0, ms: 0 };
        s.n++;
        s.ms += performance.now() - t;
        totals.set(key, s);
      }
    };
  }
  const t0 = performance.now();
  const elu = nodePerformance.eventLoopUtilization();
  return () => {
    const wall = performance.now() - t0;
    const busy = nodePerformance.eventLoopUtilization(elu).utilization;
    const calls = [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
    return `${(wall / 1000).toFixed(1)} s: main thread busy ${(100 * busy).toFixed(0)}%; awaiting ClickHouse: ${calls.map(([k, v]) => `${k} ${(v.ms / 1000).toFixed(1)} s (${v.n}x)`).join(', ')}`;
  };
}

async function childMain(): Promise<void> {
  const send = (m: FromChild) => process.send!(m);
  const { IngestPipeline } = await import('../ingest/pipeline');
  const { openEmbeddedClickHouse } = await import('../platform/clickhouse');
  const { migrateClickHouse } = await import('../warehouse/migrate');
  const ch = await openEmbeddedClickHouse(process.env.BENCH_INGEST_DIR!);
  await migrateClickHouse(ch.client);
  const log = pino({ level: process.env.BENCH_INGEST_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const slot = process.env.BENCH_INGEST_SLOT!;
  let breakdown: (() => string) | undefined;
  // BENCH_INGEST_OPTIONS: pipeline options as JSON (e.g. {"maxBatchWaitMs":200}), for trials.
  const extra = JSON.parse(process.env.BENCH_INGEST_OPTIONS ?? '{}') as Partial<IngestOptions>;
  const pipeline = new IngestPipeline({ databaseUrl: process.env.BENCH_INGEST_URL!, clickhouse: ch.client, log, slot, publication: slot, lockPollMs: 100, ...extra });
  pipeline.on('state', (state) => send({ t: 'state', state, at: clock(), error: pipeline.progress().lastError }));
  pipeline.on('landed', (e) => send({ t: 'landed', lsn: e.lsn, at: clock(), transactions: e.transactions, rows: e.rows }));
  pipeline.on('visible', (e) => send({ t: 'visible', lsn: e.lsn, at: clock(), transactions: e.transactions, rows: e.rows }));
  process.on('message', (m: ToChild) => {
    if (m.t === 'ping') send({ t: 'pong', id: m.id, at: clock() });
    else if (m.t === 'start') {
      if (process.env.BENCH_INGEST_BREAKDOWN === '1') breakdown = timeClickHouse(ch.client);
      send({ t: 'started', at: clock(), cpuSeconds: cpuSeconds() });
      pipeline.start();
    } else if (m.t === 'stop') {
      void (async () => {
        const rowsLanded = pipeline.progress().rowsLanded;
        const summary = breakdown?.();
        await pipeline.stop();
        await ch.close();
        // Exit even if some handle lingers: the parent waits for the exit.
        process.send!({ t: 'stopped', maxRssMb: process.resourceUsage().maxRSS / 1024, rowsLanded, cpuSeconds: cpuSeconds(), breakdown: summary } satisfies FromChild, () => process.exit(0));
      })().catch((err: Error) => send({ t: 'error', message: err.stack ?? err.message }));
    }
  });
  process.on('SIGTERM', () => process.exit(1));
  send({ t: 'ready' });
}

if (process.env.BENCH_INGEST_CHILD === '1' && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  childMain().catch((err: Error) => {
    process.send?.({ t: 'error', message: err.stack ?? err.message } satisfies FromChild);
    process.exitCode = 1;
  });
}

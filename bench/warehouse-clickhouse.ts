// The ClickHouse side of the warehouse-queries benchmark, in a child process: chDB binds
// one data directory per process, and `npm run bench` runs every benchmark in one process
// (startup.bench.ts opens chDB in it). The child loads the core tables into landing tables
// shaped exactly as the ingest makes them, builds the analytical model, and times the board
// queries. This file is also that child's entry point (see the end).
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import type { BackorderAgingOutput, FillRateOutput } from '../schemas/api/kpi-sales';
import type { StockAtRiskRow } from '../schemas/api/kpi-supply';

export interface QueryTiming {
  name: string;
  p50: number;
  p95: number;
  max: number;
  runs: number;
}

export interface ClickHouseSide {
  loadSeconds: number;
  loadedRows: number;
  modelSeconds: number;
  settleSeconds: number;
  parts: Record<string, number>;
  timings: QueryTiming[];
  results: { fillRate: FillRateOutput; stockAtRisk: StockAtRiskRow[]; backorderAging: BackorderAgingOutput; stockAtRiskCount: { atRisk: number; evaluated: number } };
  maxRssMb: number;
}

export interface ClickHouseSideOptions {
  pgUrl: string;
  dataDir: string;
  /** The 30-day window [from, to) and the clock of the as-of KPIs, the same as the PostgreSQL side's. */
  from: string;
  to: string;
  runs: number;
}

type FromChild = { t: 'progress'; label: string; fraction: number } | { t: 'log'; message: string } | { t: 'done'; result: ClickHouseSide } | { t: 'error'; message: string };

/** Runs the ClickHouse side in a child; reports its progress through the callbacks. */
export function runClickHouseSide(o: ClickHouseSideOptions, progress: (l: string, f: number) => void, log: (m: string) => void): Promise<ClickHouseSide> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), [], {
      execArgv: process.execArgv,
      env: { ...process.env, BENCH_WAREHOUSE_CHILD: JSON.stringify(o) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    });
    let result: ClickHouseSide | undefined;
    let failure: Error | undefined;
    proc.on('message', (m: FromChild) => {
      if (m.t === 'progress') progress(m.label, m.fraction);
      else if (m.t === 'log') log(m.message);
      else if (m.t === 'done') result = m.result;
      else failure = new Error(`ClickHouse child: ${m.message}`);
    });
    proc.on('error', reject);
    proc.on('exit', (code) => (result ? resolve(result) : reject(failure ?? new Error(`ClickHouse child exited (${code}) without a result`))));
  });
}

// ---- the child ----

const send = (m: FromChild) => new Promise<void>((r) => process.send!(m, () => r()));

/** Every core table into its landing table, through ClickHouse's postgresql() table function. */
async function loadLandingTables(ch: ClickHouseClient, pgUrl: string): Promise<number> {
  const pg = (await import('pg')).default;
  const { coreTables } = await import('../ingest/catalog');
  const { chIdent, ensureLandingTable, landingTable, VERSION_COLUMN, DELETED_COLUMN, COMMIT_TIME_COLUMN } = await import('../warehouse/landing-tables');
  const pool = new pg.Pool({ connectionString: pgUrl, max: 1 });
  const u = new URL(pgUrl);
  const source = (table: string) =>
    `postgresql('${u.hostname}:${u.port}', '${u.pathname.slice(1)}', '${table}', '${decodeURIComponent(u.username)}', '${decodeURIComponent(u.password)}')`;
  try {
    const tables = await coreTables(pool);
    const sizes = new Map((await pool.query<{ t: string; n: string }>(`SELECT relname AS t, n_live_tup AS n FROM pg_stat_user_tables`)).rows.map((r) => [r.t, Number(r.n)]));
    const total = tables.reduce((s, t) => s + (sizes.get(t.name) ?? 0), 0);
    let copied = 0;
    for (const t of tables) {
      const lt = landingTable(t);
      await ensureLandingTable(ch, lt);
      await send({ t: 'progress', label: `ClickHouse: ${t.name}`, fraction: copied / Math.max(1, total) });
      // Values come as ClickHouse's postgresql() types (enums and jsonb as String, bool as UInt8) and are
      // cast to the landing column's type: the same values the ingest writes from PostgreSQL's text.
      const select = lt.columns.map((c) => `CAST(${chIdent(c.name)} AS ${c.type})`).join(', ');
      const cols = [...lt.columns.map((c) => chIdent(c.name)), VERSION_COLUMN, DELETED_COLUMN, COMMIT_TIME_COLUMN].join(', ');
      await ch.command({ query: `INSERT INTO ${chIdent(t.name)} (${cols}) SELECT ${select}, 1, 0, now64(6) FROM ${source(t.name)}` });
      copied += sizes.get(t.name) ?? 0;
    }
    // One change-log line at the source's LSN: readAsOf answers it, and the landing rows' version (1) lies below it.
    const { rows } = await pool.query<{ lsn: string }>(`SELECT (pg_current_wal_lsn() - '0/0')::bigint::text AS lsn`);
    await ch.command({
      query: `INSERT INTO change_log (table_name, pk, op, before, after, commit_lsn, position, commit_time, xid, actor_id, actor, action)
              VALUES ('bench', '', 'insert', NULL, NULL, ${rows[0]!.lsn}, 0, now64(6), 0, NULL, 'bench', 'bench.load')`
    });
    const check = await ch.query({ query: `SELECT sum(rows) AS n FROM system.parts WHERE active AND database = currentDatabase()`, format: 'JSONEachRow' });
    return Number((await check.json<{ n: string }>())[0]!.n);
  } finally {
    await pool.end();
  }
}

/** Waits until no merge or mutation has run for 3 s (at most 10 min): a table streamed into over time has merged. */
async function settle(ch: ClickHouseClient): Promise<void> {
  let quiet = 0;
  for (let waited = 0; quiet < 3 && waited < 600; waited++) {
    const rs = await ch.query({
      query: `SELECT (SELECT count() FROM system.merges) + (SELECT count() FROM system.mutations WHERE NOT is_done) AS busy`,
      format: 'JSONEachRow'
    });
    quiet = Number((await rs.json<{ busy: string }>())[0]!.busy) === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const ms = (t: number) => Math.round(t * 100) / 100;
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))]!;

async function childMain(o: ClickHouseSideOptions): Promise<void> {
  const { openEmbeddedClickHouse } = await import('../platform/clickhouse');
  const { migrateClickHouse } = await import('../warehouse/migrate');
  const { ensureAnalyticalModel } = await import('../warehouse/model/analytical-model');
  const kpi = {
    ...(await import('../warehouse/kpi/fill-rate')),
    ...(await import('../warehouse/kpi/otif')),
    ...(await import('../warehouse/kpi/order-cycle')),
    ...(await import('../warehouse/kpi/transfer-bottlenecks')),
    ...(await import('../warehouse/kpi/supplier-performance')),
    ...(await import('../warehouse/kpi/inventory-health')),
    ...(await import('../warehouse/kpi/backorder-aging')),
    ...(await import('../warehouse/kpi/stock-at-risk'))
  };
  const engine = await openEmbeddedClickHouse(o.dataDir);
  const ch = engine.client;
  try {
    await migrateClickHouse(ch);
    let t = performance.now();
    const loadedRows = await loadLandingTables(ch, o.pgUrl);
    const loadSeconds = (performance.now() - t) / 1000;
    await send({ t: 'log', message: `landing tables loaded: ${loadedRows.toLocaleString('en')} rows in ${loadSeconds.toFixed(1)} s` });
    await send({ t: 'progress', label: 'ClickHouse: analytical model', fraction: 1 });
    t = performance.now();
    await ensureAnalyticalModel(ch);
    // The big facts may be tables the ingest keeps current (warehouse/model/materialized-facts.ts): build them as the ingest does after a backfill.
    const refresh = await import('../warehouse/model/fact-refresh').catch(() => null);
    if (refresh?.FactRefresher) {
      const pino = (await import('pino')).default;
      await new refresh.FactRefresher(ch, pino({ level: 'silent' })).rebuild();
    }
    const modelSeconds = (performance.now() - t) / 1000;
    await send({ t: 'log', message: `analytical model ready in ${modelSeconds.toFixed(1)} s (${refresh?.FactRefresher ? 'materialized facts rebuilt' : 'views only'}); waiting for merges` });
    t = performance.now();
    await settle(ch);
    const settleSeconds = (performance.now() - t) / 1000;
    const partsRs = await ch.query({ query: `SELECT table, count() AS n FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table`, format: 'JSONEachRow' });
    const parts = Object.fromEntries((await partsRs.json<{ table: string; n: string }>()).map((r) => [r.table, Number(r.n)]));

    const window = { from: o.from, to: o.to };
    const asOf = { asOfTime: o.to };
    const boards: [string, () => Promise<{ data: unknown }>][] = [
      ['fillRate', () => kpi.fillRate(ch, window)],
      ['otif', () => kpi.otif(ch, window)],
      ['orderCycleTime', () => kpi.orderCycleTime(ch, window)],
      ['invoiceLag', () => kpi.invoiceLag(ch, window)],
      ['transferBottlenecks', () => kpi.transferBottlenecks(ch, { ...window, ...asOf })],
      ['supplierPerformance', () => kpi.supplierPerformance(ch, window)],
      ['inventoryTurns', () => kpi.inventoryTurns(ch, window)],
      ['backorderAging', () => kpi.backorderAging(ch, asOf)],
      ['stockAtRisk', () => kpi.stockAtRisk(ch, { ...asOf, limit: 100 })],
      ['stockAtRiskCount', () => kpi.stockAtRiskCount(ch, asOf)],
      ['daysOfSupply', () => kpi.daysOfSupply(ch, window)],
      ['stockAging', () => kpi.stockAging(ch, asOf)]
    ];
    const timings: QueryTiming[] = [];
    const results: Record<string, unknown> = {};
    for (const [i, [name, call]] of boards.entries()) {
      await send({ t: 'progress', label: `ClickHouse: ${name}`, fraction: i / boards.length });
      results[name] = (await call()).data;
      await call(); // warm-up: caches and the first JIT of each query
      const xs: number[] = [];
      for (let r = 0; r < o.runs; r++) {
        const s = performance.now();
        await call();
        xs.push(performance.now() - s);
      }
      xs.sort((a, b) => a - b);
      timings.push({ name, p50: ms(pct(xs, 50)), p95: ms(pct(xs, 95)), max: ms(xs[xs.length - 1]!), runs: o.runs });
    }
    await send({ t: 'progress', label: 'ClickHouse: board queries', fraction: 1 });
    const result: ClickHouseSide = {
      loadSeconds,
      loadedRows,
      modelSeconds,
      settleSeconds,
      parts,
      timings,
      results: {
        fillRate: results.fillRate as FillRateOutput,
        stockAtRisk: results.stockAtRisk as StockAtRiskRow[],
        backorderAging: results.backorderAging as BackorderAgingOutput,
        stockAtRiskCount: results.stockAtRiskCount as ClickHouseSide['results']['stockAtRiskCount']
      },
      maxRssMb: process.resourceUsage().maxRSS / 1024
    };
    await send({ t: 'done', result });
  } finally {
    await engine.close();
  }
}

if (process.env.BENCH_WAREHOUSE_CHILD && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  childMain(JSON.parse(process.env.BENCH_WAREHOUSE_CHILD) as ClickHouseSideOptions)
    .then(() => process.exit(0))
    .catch(async (err: Error) => {
      await send({ t: 'error', message: err.stack ?? err.message }).catch(() => undefined);
      process.exit(1);
    });
}

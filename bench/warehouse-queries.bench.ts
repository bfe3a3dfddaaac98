// Board query latency over a realistic ledger: 10M stock moves and 2M order lines generated
// in PostgreSQL, loaded into ClickHouse as the ingest lands them, every KPI timed as a board
// calls it; beside them fill rate, stock at risk and backorder aging computed in PostgreSQL over
// the ledger the way a transactional ERP does, on the same data in the same run.
// Sizes: BENCH_WAREHOUSE_MOVES (default 10,000,000), BENCH_WAREHOUSE_LINES (2,000,000); runs per query BENCH_WAREHOUSE_RUNS (20).
// BENCH_WAREHOUSE_KEEP=1 keeps the ClickHouse data directory (its path is printed) to profile queries on it afterwards.
import { rm } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { createCoreDb } from '../app/lib/server/core/db';
import { ledgerViolations } from '../app/lib/server/core/invariants';
import { backorderAgingFromLedger, fillRateFromLedger, stockAtRiskFromLedger } from '../tests/support/ledger-kpis';
import { percentile, type Benchmark, type Figure } from './harness';
import { benchTempDir } from './ingest-support';
import { benchPostgres } from './support';
import { runClickHouseSide, type QueryTiming } from './warehouse-clickhouse';
import { generateWarehouseData } from './warehouse-data';

const TARGET_MS = 50;
const PG_RUNS = 5;
const size = (name: string, def: number) => {
  const v = Number(process.env[name] ?? def);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return v;
};

/** The first path at which two results differ, for the mismatch message. */
function firstDifference(a: unknown, b: unknown, at = ''): string {
  if (isDeepStrictEqual(a, b)) return '';
  // In a list of rows, show the first differing row whole: a key alone says little.
  if (Array.isArray(a) && Array.isArray(b)) {
    const i = a.findIndex((x, k) => !isDeepStrictEqual(x, b[k]));
    const at2 = `${at}[${i < 0 ? a.length : i}]`;
    return `${at2}: ClickHouse ${JSON.stringify(i < 0 ? `${a.length} rows` : a[i])} vs PostgreSQL ${JSON.stringify(i < 0 ? `${b.length} rows` : b[i])}`;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at || '(root)'}: ClickHouse ${JSON.stringify(a)?.slice(0, 200)} vs PostgreSQL ${JSON.stringify(b)?.slice(0, 200)}`;
}

const bench: Benchmark = {
  name: 'warehouse-queries',
  description: 'board query p95 over 10M stock moves and 2M order lines in ClickHouse, beside the same KPIs in PostgreSQL',
  async run(ctx) {
    const moves = size('BENCH_WAREHOUSE_MOVES', 10_000_000);
    const lines = size('BENCH_WAREHOUSE_LINES', 2_000_000);
    const runs = size('BENCH_WAREHOUSE_RUNS', 20);
    const engine = await benchPostgres();
    // A plain pool (custom plans): the ERP-style reports are ad-hoc SQL, not the core's prepared statements.
    const pool = new pg.Pool({ connectionString: engine.url, max: 4 });
    // A client still closing when PostgreSQL stops gets 57P01 after pool.end(): without a listener that ended the run before its figures printed.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const chDir = await benchTempDir('opstower-bench-ch-');
    try {
      let t = performance.now();
      const counts = await generateWarehouseData(pool, { moves, lines }, (l, f) => ctx.progress(l, f));
      const generationSeconds = (performance.now() - t) / 1000;
      ctx.log(`generated in ${generationSeconds.toFixed(0)} s: ${Object.entries(counts).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')}`);
      ctx.progress('ledger invariants (core/invariants.ts)', 0);
      const violations = await ledgerViolations(createCoreDb(pool));
      ctx.progress('ledger invariants (core/invariants.ts)', 1);
      if (violations.length) ctx.log(`!!! the generated ledger breaks its invariants (${violations.length}), e.g. ${violations.slice(0, 3).join('; ')}`);

      // The same window and clock on both sides: the 30 days ending now.
      const to = new Date().toISOString();
      const from = new Date(Date.parse(to) - 30 * 86_400_000).toISOString();
      const ch = await runClickHouseSide({ pgUrl: engine.url, dataDir: chDir, from, to, runs }, (l, f) => ctx.progress(l, f), (m) => ctx.log(m));
      const f = ch.results.fillRate.total;
      const pctOf = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)} %`);
      ctx.log(
        `the data, as the KPIs see it: ${f.orders.toLocaleString('en')} orders / ${f.lines.toLocaleString('en')} lines in the window; fill first/final: ` +
          `unit ${pctOf(f.firstShipment.unitFill)}/${pctOf(f.final.unitFill)}, line ${pctOf(f.firstShipment.lineFill)}/${pctOf(f.final.lineFill)}, ` +
          `order ${pctOf(f.firstShipment.orderFill)}/${pctOf(f.final.orderFill)}; stock at risk ${ch.results.stockAtRiskCount.atRisk.toLocaleString('en')} of ` +
          `${ch.results.stockAtRiskCount.evaluated.toLocaleString('en')} product x warehouse; open backorders ${ch.results.backorderAging.total.lines.toLocaleString('en')} lines`
      );
      ctx.log(`ClickHouse parts after merges settled (${ch.settleSeconds.toFixed(0)} s): ${Object.entries(ch.parts).filter(([, n]) => n > 1).map(([k, n]) => `${k} ${n}`).join(', ')}`);

      const reference = [
        { name: 'fillRate', run: () => fillRateFromLedger(pool, { from, to }), ch: ch.results.fillRate },
        { name: 'stockAtRisk', run: () => stockAtRiskFromLedger(pool, { asOfTime: to, limit: 100 }), ch: ch.results.stockAtRisk },
        { name: 'backorderAging', run: () => backorderAgingFromLedger(pool, { asOfTime: to }), ch: ch.results.backorderAging }
      ];
      const pgTimings = new Map<string, { p50: number; p95: number }>();
      const mismatches: string[] = [];
      for (const [i, r] of reference.entries()) {
        ctx.progress(`PostgreSQL: ${r.name}`, i / reference.length);
        const result = await r.run(); // also the warm-up
        const diff = firstDifference(r.ch, result);
        if (diff) {
          mismatches.push(r.name);
          ctx.log(`!!! MISMATCH ${r.name}: ClickHouse and PostgreSQL disagree at ${diff}`);
        } else ctx.log(`${r.name}: ClickHouse and PostgreSQL agree`);
        const xs: number[] = [];
        for (let k = 0; k < PG_RUNS; k++) {
          t = performance.now();
          await r.run();
          xs.push(performance.now() - t);
        }
        xs.sort((a, b) => a - b);
        pgTimings.set(r.name, { p50: percentile(xs, 50), p95: percentile(xs, 95) });
      }
      ctx.progress('PostgreSQL: reference KPIs', 1);

      const figures: Figure[] = [
        { name: 'generation (PostgreSQL, bulk SQL)', value: generationSeconds, unit: 's', note: `${counts.stock_moves!.toLocaleString('en')} moves, ${counts.sales_order_lines!.toLocaleString('en')} order lines` },
        { name: 'load into ClickHouse landing tables (postgresql())', value: ch.loadSeconds, unit: 's', note: `${ch.loadedRows.toLocaleString('en')} rows` },
        { name: 'analytical model (views + materialized facts)', value: ch.modelSeconds, unit: 's' }
      ];
      const timing = (q: QueryTiming) => `p50 ${q.p50.toFixed(1)} ms, max ${q.max.toFixed(0)} ms`;
      for (const q of ch.timings) {
        const ref = pgTimings.get(q.name);
        figures.push({ name: `ClickHouse ${q.name} p95 (${q.runs} runs)`, value: q.p95, unit: 'ms', target: { op: '<=', value: TARGET_MS }, note: timing(q) });
        if (ref) {
          const same = mismatches.includes(q.name) ? 'RESULTS DIFFER' : 'same result';
          figures.push({ name: `PostgreSQL ${q.name} p95 (${PG_RUNS} runs)`, value: ref.p95, unit: 'ms', note: `p50 ${ref.p50.toFixed(0)} ms; ${same}` });
          figures.push({ name: `${q.name}: PostgreSQL p95 / ClickHouse p95`, value: ref.p95 / q.p95, unit: 'x' });
        }
      }
      figures.push({ name: 'ClickHouse child peak RSS', value: ch.maxRssMb, unit: 'MB' });
      figures.push({ name: 'ledger invariant violations in the generated data', value: violations.length, unit: '', target: { op: '<=', value: 0 } });
      figures.push({ name: 'KPI results that differ between ClickHouse and PostgreSQL', value: mismatches.length, unit: 'KPIs', target: { op: '<=', value: 0 }, note: mismatches.join(', ') });
      return figures;
    } finally {
      await pool.end();
      await engine.stop();
      if (process.env.BENCH_WAREHOUSE_KEEP === '1') ctx.log(`ClickHouse data kept in ${chDir} (open it with openEmbeddedClickHouse)`);
      else await rm(chDir, { recursive: true, force: true });
    }
  }
};
export default bench;

// CDC ingest freshness: commit-to-ClickHouse-visible latency while small stock
// transactions (a move and the two balances it changes, with the audit message)
// commit at a steady 1,000/s from 16 connections. A transaction is ClickHouse-visible when the
// ingest reports a batch landed ('visible') at or beyond its commit LSN; the boards' figure, when
// the materialized facts reflect it too ('landed' event), is printed beside it.
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { createCoreDb } from '../app/lib/server/core/db';
import { parseLsn, type Lsn } from '../ingest/lsn';
import { createPool } from '../platform/pool';
import { percentile, type Benchmark } from './harness';
import { auditStatement, benchTempDir, clock, IngestChild, stockedNetwork, type FromChild, type StockPair } from './ingest-support';
import { benchPostgres } from './support';

const RATE = 1_000;
const SECONDS = Number(process.env.BENCH_FRESHNESS_SECONDS ?? 60);
const WARMUP_SECONDS = 3;
const CONNECTIONS = 16;
const SLOT = 'bench_freshness';

/**
 * One small ledger transaction, a receipt (even k) or a shipment (odd k) of one unit, in one
 * round trip; the WAL position read right after COMMIT on the same connection is at or beyond
 * the end of its commit record (a conservative commit LSN).
 */
function transactionSql(k: number, p: StockPair): string {
  const inbound = k % 2 === 0;
  const [from, to] = inbound ? [p.supplier, p.stock] : [p.stock, p.customer];
  return `BEGIN; ${auditStatement(inbound ? 'bench.receive' : 'bench.ship')};
    INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, done_at)
      VALUES (${p.productId}, 1, ${from}, ${to}, 'done', '${inbound ? 'purchase_order' : 'sales_order'}', ${k}, now());
    UPDATE stock_balances SET on_hand = on_hand - 1, updated_at = now() WHERE product_id = ${p.productId} AND location_id = ${from};
    UPDATE stock_balances SET on_hand = on_hand + 1, updated_at = now() WHERE product_id = ${p.productId} AND location_id = ${to};
    COMMIT;
    SELECT pg_current_wal_lsn()::text AS lsn`;
}

interface Committed {
  lsn: Lsn;
  at: number;
}

interface Reported extends Committed {
  transactions: number;
}

/** Each transaction's latency to the first report (in LSN order) at or beyond its LSN, sorted. */
function latenciesTo(reports: Reported[], committed: Committed[], what: string): number[] {
  const out = committed.map((c) => {
    let lo = 0;
    let hi = reports.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (reports[mid]!.lsn >= c.lsn) hi = mid;
      else lo = mid + 1;
    }
    if (lo === reports.length) throw new Error(`no ${what} event at or beyond ${c.lsn}`);
    return reports[lo]!.at - c.at;
  });
  return out.sort((a, b) => a - b);
}

const bench: Benchmark = {
  name: 'ingest-freshness',
  description: `commit-to-ClickHouse-visible latency at ${RATE.toLocaleString('en')} transactions/s for ${SECONDS} s (in-process pipeline, chDB)`,
  async run(ctx) {
    const engine = await benchPostgres();
    const pool = createPool(engine.url, 2);
    const chDir = await benchTempDir('opstower-bench-ch-');
    let ingest: IngestChild | undefined;
    const clients: pg.Client[] = [];
    try {
      const pairs = await stockedNetwork(createCoreDb(pool), 2_000, (l, f) => ctx.progress(l, f));
      ctx.progress('ingest: slot, publication, backfill', 0);
      ingest = await IngestChild.launch({ url: engine.url, slot: SLOT, dataDir: chDir });
      const landed: Reported[] = [];
      const visible: Reported[] = [];
      ingest.on((m: FromChild) => {
        if (m.t === 'landed') landed.push({ lsn: parseLsn(m.lsn), at: m.at, transactions: m.transactions });
        if (m.t === 'visible') visible.push({ lsn: parseLsn(m.lsn), at: m.at, transactions: m.transactions });
      });
      await ingest.start();
      await ingest.next((m) => m.t === 'state' && m.state === 'streaming', 120_000, 'the ingest to stream');
      ctx.progress('ingest: slot, publication, backfill', 1);
      const offset = await ingest.clockOffset();
      ctx.log(`clock offset ingest process - bench process: ${offset.toFixed(3)} ms (not applied)`);

      for (let i = 0; i < CONNECTIONS; i++) {
        const c = new pg.Client({ connectionString: engine.url });
        await c.connect();
        clients.push(c);
      }
      // Paced load: transaction k is due at t0 + k / RATE; each connection takes the next one due.
      const warmup = WARMUP_SECONDS * RATE;
      const total = warmup + SECONDS * RATE;
      const committed: Committed[] = [];
      let next = 0;
      let failed = 0;
      let measuredFrom = 0;
      const t0 = clock() + 100;
      const ticker = setInterval(() => ctx.progress(`load at ${RATE}/s (${WARMUP_SECONDS} s warm-up + ${SECONDS} s)`, next / total), 1_000);
      await Promise.all(
        clients.map(async (client) => {
          for (let k = next++; k < total; k = next++) {
            const wait = t0 + (k * 1000) / RATE - clock();
            if (wait > 0.5) await new Promise((r) => setTimeout(r, wait));
            if (k === warmup) measuredFrom = clock();
            let lsn: string;
            try {
              // Simple protocol: one result per statement; the last one is the WAL position.
              const results = (await client.query(transactionSql(k, pairs[(k * 7919) % pairs.length]!))) as unknown as pg.QueryResult<{ lsn: string }>[];
              lsn = results[results.length - 1]!.rows[0]!.lsn;
            } catch (err) {
              failed++;
              await client.query('ROLLBACK').catch(() => undefined);
              if (failed === 1) ctx.log(`a load transaction failed: ${(err as Error).message}`);
              continue;
            }
            // COMMIT returned (the WAL read after it takes microseconds on the server, no round trip more).
            const at = clock();
            if (k >= warmup) committed.push({ lsn: parseLsn(lsn), at });
          }
        })
      );
      const loadSeconds = (clock() - measuredFrom) / 1000;
      clearInterval(ticker);
      ctx.progress(`load at ${RATE}/s (${WARMUP_SECONDS} s warm-up + ${SECONDS} s)`, 1);

      // Everything committed must land; then each transaction's latency is the first landed event at or beyond its LSN.
      const last = committed.reduce((m, c) => (c.lsn > m ? c.lsn : m), 0n);
      await ingest.next((m) => m.t === 'landed' && parseLsn(m.lsn) >= last, 60_000, 'the last load transaction to land');
      const latencies = latenciesTo(visible, committed, 'visible');
      const factLatencies = latenciesTo(landed, committed, 'landed');
      const during = visible.filter((e) => e.at >= measuredFrom && e.at <= measuredFrom + loadSeconds * 1000);
      const txnsPerBatch = during.reduce((n, e) => n + e.transactions, 0) / Math.max(1, during.length);
      const { maxRssMb, breakdown } = await ingest.stop();
      if (breakdown) ctx.log(`ingest breakdown: ${breakdown}`);
      ingest = undefined;
      const tps = committed.length / loadSeconds;
      ctx.log(`${committed.length} transactions measured (${failed} failed), ${during.length} batches landed (${(during.length / loadSeconds).toFixed(1)}/s, ${txnsPerBatch.toFixed(1)} transactions each)`);
      return [
        { name: 'commit -> ClickHouse-visible p50', value: percentile(latencies, 50), unit: 'ms' },
        { name: 'commit -> ClickHouse-visible p95', value: percentile(latencies, 95), unit: 'ms' },
        { name: 'commit -> ClickHouse-visible p99', value: percentile(latencies, 99), unit: 'ms', target: { op: '<=', value: 300 } },
        { name: 'commit -> ClickHouse-visible max', value: latencies[latencies.length - 1]!, unit: 'ms' },
        { name: 'commit -> facts refreshed (boards told) p50', value: percentile(factLatencies, 50), unit: 'ms', note: 'issue 5 facts + landed event' },
        { name: 'commit -> facts refreshed (boards told) p99', value: percentile(factLatencies, 99), unit: 'ms' },
        { name: 'transactions committed (3 rows + audit message each)', value: tps, unit: 'tps', target: { op: '>=', value: RATE * 0.98 }, note: `offered ${RATE}/s for ${SECONDS} s` },
        { name: 'ingest process peak RSS (pipeline + chDB)', value: maxRssMb, unit: 'MB' }
      ];
    } finally {
      await ingest?.kill();
      for (const c of clients) await c.end().catch(() => undefined);
      await pool.end();
      await engine.stop();
      await rm(engine.dir, { recursive: true, force: true });
      await rm(chDir, { recursive: true, force: true });
    }
  }
};
export default bench;

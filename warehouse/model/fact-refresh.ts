import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { queryRows } from '../kpi/clickhouse-query';
import { readLanded } from '../kpi/as-of';
import { parseLsn } from '../../ingest/lsn';
import { CHANGED_ORDERS, CHANGED_PRODUCTS, MATERIALIZED_FACTS, orderTombstones, type MaterializedFact } from './materialized-facts';

/**
 * Keeps the materialized facts at the landed LSN. Its watermark (the LSN and
 * commit time the facts reflect, and the hash of their definitions) is written
 * after the facts, so a crash in between repeats a refresh that is idempotent
 * (ReplacingMergeTree). The KPIs report this watermark as their freshness.
 */
export const MODEL_HASH = createHash('sha256')
  .update(JSON.stringify(MATERIALIZED_FACTS))
  .digest('hex')
  .slice(0, 16);

/** Above this many changed orders a rebuild is cheaper than an IN list. */
const MAX_CHANGED_ORDERS = 200_000;

export interface Watermark {
  lsn: bigint;
  commitTime: string;
  modelHash: string;
}

const FACT_REFRESH_TABLE = `CREATE TABLE IF NOT EXISTS fact_refresh (
  model String, lsn UInt64, commit_time DateTime64(6, 'UTC'), model_hash String, refreshed_at DateTime64(6, 'UTC')
) ENGINE = ReplacingMergeTree(refreshed_at) ORDER BY model`;

const withoutParams = (select: string) => select.replaceAll('{to:UInt64}', 'toUInt64(0)');
const createSql = (f: MaterializedFact, table = f.table) => `CREATE TABLE IF NOT EXISTS ${table} ENGINE = ${f.engine} EMPTY AS ${withoutParams(f.rebuild)}`;

export async function ensureMaterializedFacts(ch: ClickHouseClient): Promise<void> {
  await ch.command({ query: FACT_REFRESH_TABLE });
  for (const f of MATERIALIZED_FACTS) await ch.command({ query: createSql(f) });
}

export async function readWatermark(ch: ClickHouseClient): Promise<Watermark | null> {
  const [row] = await queryRows<{ lsn: string; commit_time: string; model_hash: string }>(
    ch,
    `SELECT toString(lsn) AS lsn, formatDateTime(commit_time, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS commit_time, model_hash
     FROM fact_refresh FINAL WHERE model = 'facts'`
  );
  return row ? { lsn: BigInt(row.lsn), commitTime: row.commit_time, modelHash: row.model_hash } : null;
}

export class FactRefresher {
  readonly #ch: ClickHouseClient;
  readonly #log: Logger;

  constructor(ch: ClickHouseClient, log: Logger) {
    this.#ch = ch;
    this.#log = log;
  }

  /** At start: rebuild when the facts were never built, their definitions changed, or `force` (a backfill copied rows). */
  async prepare(force: boolean): Promise<void> {
    await ensureMaterializedFacts(this.#ch);
    const mark = await readWatermark(this.#ch);
    if (force || mark === null || mark.modelHash !== MODEL_HASH) await this.rebuild();
    else await this.refresh();
  }

  /** Every fact table written afresh into a new table, then swapped in: readers never see it half built. */
  async rebuild(): Promise<void> {
    const landed = await readLanded(this.#ch);
    const to = landed.lsn === null ? 0n : parseLsn(landed.lsn);
    const started = Date.now();
    for (const f of MATERIALIZED_FACTS) {
      const fresh = `${f.table}__rebuild`;
      await this.#ch.command({ query: `DROP TABLE IF EXISTS ${fresh}` });
      await this.#ch.command({ query: createSql(f, fresh) });
      await this.#ch.command({ query: `INSERT INTO ${fresh} ${f.rebuild}`, query_params: { to: to.toString() } });
      await this.#ch.command({ query: `EXCHANGE TABLES ${f.table} AND ${fresh}` });
      await this.#ch.command({ query: `DROP TABLE ${fresh}` });
    }
    await this.#mark(to, landed.commitTime);
    this.#log.info({ ms: Date.now() - started }, 'warehouse facts rebuilt');
  }

  /** Brings the facts from their watermark to the newest landed LSN; returns that LSN. */
  async refresh(): Promise<bigint> {
    const mark = await readWatermark(this.#ch);
    if (mark === null || mark.modelHash !== MODEL_HASH) {
      await this.rebuild();
      return (await readWatermark(this.#ch))!.lsn;
    }
    const landed = await readLanded(this.#ch);
    const to = landed.lsn === null ? 0n : parseLsn(landed.lsn);
    if (to <= mark.lsn) return mark.lsn;
    const range = { from: mark.lsn.toString(), to: to.toString() };
    const orders = (await queryRows<{ order_id: number }>(this.#ch, CHANGED_ORDERS, range)).map((r) => r.order_id);
    const products = (await queryRows<{ product_id: number }>(this.#ch, CHANGED_PRODUCTS, range)).map((r) => r.product_id);
    if (orders.length > MAX_CHANGED_ORDERS) {
      await this.rebuild();
      return to;
    }
    for (const f of MATERIALIZED_FACTS) {
      const keys = f.keyedBy === 'orders' ? { orders } : f.keyedBy === 'products' ? { products } : {};
      if ((f.keyedBy === 'orders' && orders.length === 0) || (f.keyedBy === 'products' && products.length === 0)) continue;
      if (f.keyedBy === 'orders') await this.#ch.command({ query: orderTombstones(f.table), query_params: { ...range, orders } });
      await this.#ch.command({ query: `INSERT INTO ${f.table} ${f.refresh}`, query_params: { ...range, ...keys } });
    }
    await this.#mark(to, landed.commitTime);
    return to;
  }

  async #mark(lsn: bigint, commitTime: string | null): Promise<void> {
    await this.#ch.insert({
      table: 'fact_refresh',
      values: [{ model: 'facts', lsn: lsn.toString(), commit_time: (commitTime ?? '1970-01-01T00:00:00Z').replace('Z', ''), model_hash: MODEL_HASH, refreshed_at: new Date().toISOString().replace('Z', '') }],
      format: 'JSONEachRow'
    });
  }
}

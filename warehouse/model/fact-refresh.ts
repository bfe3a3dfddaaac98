import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import { queryRows } from '../kpi/clickhouse-query';
import { noteFactsMark, readLanded } from '../kpi/as-of';
import { readWarehouseZones } from '../kpi/local-day';
import { parseLsn } from '../../ingest/lsn';
import { BACKGROUND_PRIORITY } from '../../platform/clickhouse';
import { createViews } from './model-view';
import { CHANGED_KEYS, factSql, MATERIALIZED_FACTS, MATERIALIZED_VIEWS, orderTombstones, type FactKey, type MaterializedFact } from './materialized-facts';

/**
 * Keeps the materialized facts at the landed LSN. Its watermark (the LSN and
 * commit time the facts reflect, and the hash of their definitions and of the
 * warehouses' zones they computed local days in) is written after the facts, so a
 * crash in between repeats a refresh that is idempotent (ReplacingMergeTree). The
 * KPIs report this watermark as their freshness.
 */
const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
export const MODEL_HASH = sha(
  JSON.stringify(MATERIALIZED_FACTS.map((f) => ({ ...f, rebuild: factSql(f.rebuild, ['Zone/Any']), refresh: factSql(f.refresh, ['Zone/Any']) })))
);
/** What the watermark records: the definitions, and the zones (a zone new to the network changes local days: a rebuild). */
export const factsHash = (zones: readonly string[]) => `${MODEL_HASH}:${sha(zones.join(','))}`;

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
/** The columns do not depend on the zones (a local day is a Nullable(Date) in any). */
const createSql = (f: MaterializedFact, table = f.table) => `CREATE TABLE IF NOT EXISTS ${table} ENGINE = ${f.engine} EMPTY AS ${withoutParams(factSql(f.rebuild, []))}`;

async function createTable(ch: ClickHouseClient, f: MaterializedFact, table = f.table): Promise<void> {
  await ch.command({ query: createSql(f, table) });
  for (const [name, column] of Object.entries(f.indexes ?? {})) {
    await ch.command({ query: `ALTER TABLE ${table} ADD INDEX IF NOT EXISTS ${name} ${column} TYPE minmax GRANULARITY 1` });
  }
}

/**
 * Creates the fact tables that do not exist. One that exists is left as it is, even when its
 * definition changed (the watermark's hash then asks for a rebuild): its CREATE ... AS would
 * read the tables it is computed from, which may not have their new columns yet.
 */
export async function ensureMaterializedFacts(ch: ClickHouseClient): Promise<void> {
  await ch.command({ query: FACT_REFRESH_TABLE });
  const existing = new Set(
    (await queryRows<{ name: string }>(ch, 'SELECT name FROM system.tables WHERE database = currentDatabase()')).map((t) => t.name)
  );
  for (const f of MATERIALIZED_FACTS) if (!existing.has(f.table)) await createTable(ch, f);
}

export async function readWatermark(ch: ClickHouseClient): Promise<Watermark | null> {
  const [row] = await queryRows<{ lsn: string; commit_time: string; model_hash: string }>(
    ch,
    `SELECT toString(lsn) AS lsn, formatDateTime(commit_time, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS commit_time, model_hash
     FROM fact_refresh FINAL WHERE model = 'facts'`
  );
  return row ? { lsn: BigInt(row.lsn), commitTime: row.commit_time, modelHash: row.model_hash } : null;
}

/**
 * What a refresh brings the facts up to: a landed batch's LSN and commit time, the tables
 * it touched, and whether it deleted rows of them (when it did not, no fact can have lost
 * a row, and the tombstone queries are skipped).
 */
export interface RefreshTarget {
  lsn: bigint;
  commitTime: string;
  tables: readonly string[];
  deletes?: boolean;
}

/**
 * Runs `work` for every fact, independent facts side by side (chDB runs queries on
 * several connections); a fact that reads another (dependsOn) waits for it.
 */
async function inDependencyOrder(work: (f: MaterializedFact) => Promise<void>): Promise<void> {
  const done = new Map<string, Promise<void>>();
  for (const f of MATERIALIZED_FACTS) {
    const before = (f.dependsOn ?? []).map((d) => {
      const written = done.get(d);
      if (!written) throw new Error(`fact ${f.table} depends on ${d}, which must come before it in MATERIALIZED_FACTS`);
      return written;
    });
    done.set(f.table, before.length > 0 ? Promise.all(before).then(() => work(f)) : work(f));
  }
  await Promise.all(done.values());
}

export class FactRefresher {
  readonly #ch: ClickHouseClient;
  readonly #log: Logger;
  /** The watermark as this refresher last read or wrote it: it is the only writer (one active ingest per slot). */
  #watermark: Watermark | null | undefined;
  /** The warehouses' zones as last read: again whenever a batch touched the warehouses. */
  #zones: string[] | undefined;
  /** The zones the watermark's hash was written with by this refresher. */
  #markedZones: readonly string[] | undefined;

  constructor(ch: ClickHouseClient, log: Logger) {
    this.#ch = ch;
    this.#log = log;
  }

  async #readWatermark(): Promise<Watermark | null> {
    if (this.#watermark === undefined) this.#watermark = await readWatermark(this.#ch);
    return this.#watermark;
  }

  /**
   * At start, once ensureAnalyticalModel has created the tables: rebuild when the facts were
   * never built, their definitions changed, or `force` (a backfill copied rows).
   */
  async prepare(force: boolean): Promise<void> {
    this.#watermark = undefined; // another consumer may have moved it while this one waited
    const mark = await this.#readWatermark();
    const zones = await this.#readZones();
    if (force || mark === null || mark.modelHash !== factsHash(zones)) await this.rebuild();
    else await this.refresh();
  }

  async #readZones(): Promise<string[]> {
    this.#zones = await readWarehouseZones(this.#ch);
    return this.#zones;
  }

  /** Every fact table written afresh into a new table, then swapped in: readers never see it half built. */
  async rebuild(): Promise<void> {
    const zones = await this.#readZones();
    const landed = await readLanded(this.#ch);
    const before = await this.#readWatermark();
    // A watermark set from a batch's end LSN may be past its last commit: everything up to it is in the rebuild too.
    const landedLsn = landed.lsn === null ? 0n : parseLsn(landed.lsn);
    const to = before && before.lsn > landedLsn ? before.lsn : landedLsn;
    const started = Date.now();
    await inDependencyOrder(async (f) => {
      const fresh = `${f.table}__rebuild`;
      await this.#ch.command({ query: `DROP TABLE IF EXISTS ${fresh}` });
      await createTable(this.#ch, f, fresh);
      await this.#write(`INSERT INTO ${fresh} ${factSql(f.rebuild, zones)}`, { to: to.toString() });
      await this.#ch.command({ query: `EXCHANGE TABLES ${f.table} AND ${fresh}` });
      await this.#ch.command({ query: `DROP TABLE ${fresh}` });
    });
    // A view keeps the columns its table had when it was created: a fact that gained a column shows it only through a new view.
    await createViews(this.#ch, MATERIALIZED_VIEWS);
    await this.#mark(to, to === landedLsn ? landed.commitTime : before!.commitTime, zones);
    this.#log.info({ ms: Date.now() - started }, 'warehouse facts rebuilt');
  }

  /**
   * Brings the facts from their watermark up to `upTo` (a landed batch's LSN and commit time, and
   * the tables its batches touched), or to the newest landed LSN. Facts none of whose source tables
   * were touched are left alone: most batches move the watermark and nothing else. Returns the LSN.
   */
  async refresh(upTo?: RefreshTarget): Promise<bigint> {
    const mark = await this.#readWatermark();
    const zones = this.#zones === undefined || !upTo || upTo.tables.includes('warehouses') ? await this.#readZones() : this.#zones;
    if (mark === null || (mark.modelHash !== factsHash(zones) && !(await this.#onlyNewZones(mark, zones)))) {
      await this.rebuild();
      return this.#watermark!.lsn;
    }
    const landed = upTo ?? (await readLanded(this.#ch));
    const to = upTo?.lsn ?? (landed.lsn === null ? 0n : parseLsn(landed.lsn as string));
    if (to <= mark.lsn) return mark.lsn;
    const touched = (sources: readonly string[]) => !upTo || sources.some((t) => upTo.tables.includes(t));
    const range = { from: mark.lsn.toString(), to: to.toString() };
    const changed = async (key: FactKey) =>
      MATERIALIZED_FACTS.some((f) => f.keyedBy === key && touched(f.sources))
        ? (await queryRows<{ id: number }>(this.#ch, CHANGED_KEYS[key], range, BACKGROUND_PRIORITY)).map((r) => r.id)
        : [];
    const steps: Record<string, number> = {};
    const started = Date.now();
    const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const t = Date.now();
      const result = await work();
      steps[name] = Date.now() - t;
      return result;
    };
    const keyNames = Object.keys(CHANGED_KEYS) as FactKey[];
    const keyLists = await Promise.all(keyNames.map((k) => timed(`changed:${k}`, () => changed(k))));
    const keys = Object.fromEntries(keyNames.map((k, i) => [k, keyLists[i]!])) as Record<FactKey, number[]>;
    if (keys.orders.length > MAX_CHANGED_ORDERS) {
      await this.rebuild();
      return to;
    }
    const write = async (f: MaterializedFact) => {
      const own = f.keyedBy === 'versions' ? null : keys[f.keyedBy];
      if (own === null ? !touched(f.sources) : own.length === 0) return;
      const params = { ...range, ...(own === null ? {} : { [f.keyedBy]: own }) };
      // Tombstones and rows cover disjoint keys (gone from the core / still there): they may land in either order.
      await Promise.all([
        f.keyedBy === 'orders' && !f.rowsFinal && (upTo?.deletes ?? true)
          ? timed(`${f.table}:tombstones`, () => this.#write(orderTombstones(f.table), params))
          : null,
        timed(f.table, () => this.#write(`INSERT INTO ${f.table} ${factSql(f.refresh, zones)}`, params))
      ]);
    };
    await inDependencyOrder(write); // the watermark follows them all
    steps.facts = Date.now() - started;
    await timed('mark', () => this.#mark(to, landed.commitTime, zones));
    this.#log.debug({ steps, ...Object.fromEntries(keyNames.map((k) => [k, keys[k].length])) }, 'warehouse facts refreshed');
    return to;
  }

  /** A statement that writes facts: at background priority, so the landing and the boards go first (platform/clickhouse.ts). */
  async #write(query: string, params: Record<string, unknown>): Promise<void> {
    await this.#ch.command({ query, query_params: params, clickhouse_settings: BACKGROUND_PRIORITY });
  }

  /**
   * The zones changed, but the facts hold no local day computed for a zone outside those they
   * were written with (a new warehouse has no orders yet): the new zones only add branches for
   * rows to come, and no rebuild is needed. The watermark records the new zones.
   */
  async #onlyNewZones(mark: Watermark, zones: readonly string[]): Promise<boolean> {
    const before = this.#markedZones;
    if (before === undefined || mark.modelHash !== factsHash(before)) return false;
    const [outside] = await queryRows<{ n: number }>(
      this.#ch,
      `SELECT count() AS n FROM mat_order_lines WHERE warehouse_time_zone NOT IN {before:Array(String)} AND warehouse_time_zone != 'UTC'`,
      { before },
      BACKGROUND_PRIORITY
    );
    const only = outside!.n === 0;
    if (only) this.#log.info({ before, zones }, 'warehouse zones changed; the facts hold no row of a new zone, no rebuild');
    return only;
  }

  async #mark(lsn: bigint, commitTime: string | null, zones: readonly string[]): Promise<void> {
    const time = commitTime ?? '1970-01-01T00:00:00Z';
    await this.#ch.insert({
      table: 'fact_refresh',
      values: [{ model: 'facts', lsn: lsn.toString(), commit_time: time.replace('Z', ''), model_hash: factsHash(zones), refreshed_at: new Date().toISOString().replace('Z', '') }],
      format: 'JSONEachRow',
      clickhouse_settings: BACKGROUND_PRIORITY
    });
    this.#watermark = { lsn, commitTime: time, modelHash: factsHash(zones) };
    this.#markedZones = zones;
    noteFactsMark(this.#ch, this.#watermark);
  }

  /** This process's ingest is no longer the slot's consumer: another may move the watermark from now on. */
  release(): void {
    this.#watermark = undefined;
    noteFactsMark(this.#ch, null);
  }
}

import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { SYSTEM_ACTOR, type Actor } from '../app/lib/server/core/actor';
import type { CoreDb, Tx } from '../app/lib/server/core/db';
import { conflict, invalid } from '../app/lib/server/core/errors';
import { transact } from '../app/lib/server/core/transaction';
import { withForeignKeysCheckedOnce } from './bulk-sql';
import { ID_TABLES, type IdTable } from './history-model';
import { runHistory, type HistoryResult } from './history-sim';
import { DAY } from './history-time';
import { CopyStream } from './history-copy';
import { copyHistory, HISTORY_TABLES, MOVE_COLUMNS, moveLine, withIndexesBuiltOnce } from './history-write';
import type { Network } from './network-types';
import type { NetworkIds, Progress } from './network-writer';


/**
 * The last N days of a network's life, simulated in memory with the core's
 * business rules (orders, reservations, shipments and backorders, invoices and
 * payments, reorder runs, POs and receipts, transfers, returns, cycle counts) on
 * the live operations' calendar, and written in bulk with their past timestamps,
 * in one transaction, on top of writeNetwork's output (open the network `days`
 * back: writeNetwork's openedAt). The ledger and balances agree as if every step
 * had gone through the services; what was under way at endAt stays under way
 * (open orders and backorders, POs and transfers in transit, a wave leaving).
 *
 * Written with COPY; foreign keys checked and secondary indexes built once at
 * the end; stock moves stream to the server while the simulation runs. Write the
 * history before the CDC ingest starts: its backfill then copies it (with a slot
 * already open, the ingest would receive it as one very large transaction).
 */

export interface WriteHistoryOptions {
  /** Days of history before endAt (default 90). */
  days?: number;
  /** Where the history ends: the present (default now). */
  endAt?: Date;
  /** Seed of the simulation (default the network's). */
  seed?: number;
  progress?: Progress;
  actor?: Actor;
}

export interface HistorySummary {
  start: Date;
  end: Date;
  /** Calendar days simulated. */
  days: number;
  /** Rows written per table. */
  rows: Record<string, number>;
  /**
   * Wall time of the simulation (stock moves stream to the database meanwhile),
   * of the writing after it (COPY, indexes, foreign keys, sequences, statistics)
   * and of the whole call, ms.
   */
  simulateMs: number;
  writeMs: number;
  totalMs: number;
  /** CPU time of this process over the whole call (user + system), ms; the database server's is not included. */
  cpuMs: number;
}

const clientOf = (tx: Tx) => (tx._.session as unknown as { client: pg.ClientBase }).client;

export async function writeHistory(db: CoreDb, network: Network, ids: NetworkIds, options: WriteHistoryOptions = {}): Promise<HistorySummary> {
  const began = performance.now();
  const cpu = process.cpuUsage();
  const days = options.days ?? 90;
  if (!(days > 0)) throw invalid('the history needs a positive number of days', { days: [`${days} is not positive`] });
  const end = (options.endAt ?? new Date()).getTime();
  const progress = options.progress ?? (() => {});
  const actor = options.actor ?? SYSTEM_ACTOR;
  progress('checking the database', 0);
  let simulateMs = 0;
  let writeMs = 0;
  let start = end - days * DAY;
  let calendarDays = 0;
  const rows = await transact(db, actor, 'sim.history.write', async (tx) => {
    const client = clientOf(tx);
    // Nothing else may move stock while the history is simulated from these balances and written.
    await client.query('LOCK TABLE stock_balances, stock_moves, sales_orders, purchase_orders, transfers IN EXCLUSIVE MODE');
    const state = await tx.execute<{ documents: string; opened: Date | null }>(sql`
      SELECT (SELECT count(*) FROM sales_orders) + (SELECT count(*) FROM purchase_orders) + (SELECT count(*) FROM transfers)
           + (SELECT count(*) FROM customer_returns) + (SELECT count(*) FROM cycle_counts)
           + (SELECT count(*) FROM stock_moves WHERE document_type <> 'opening_balance') AS documents,
             (SELECT max(created_at) FROM stock_moves) AS opened`);
    if (Number(state.rows[0]!.documents) > 0) {
      throw conflict('the history needs a database holding only the network: it already holds orders, purchasing, transfers or stock moves');
    }
    const opened = state.rows[0]!.opened;
    // The history cannot begin before the network's opening stock.
    if (opened) start = Math.max(start, new Date(opened).getTime() + 1);
    if (start >= end) {
      throw invalid('the history would end before the network opened: write the network with openedAt `days` before endAt', { endAt: ['is not after the opening stock'] });
    }
    const balances = (
      await tx.execute<{ product_id: number; location_id: number; on_hand: number; reserved: number }>(
        sql`SELECT product_id, location_id, on_hand, reserved FROM stock_balances`
      )
    ).rows.map((b) => ({ productId: Number(b.product_id), locationId: Number(b.location_id), onHand: Number(b.on_hand), reserved: Number(b.reserved) }));
    const firstIds: Partial<Record<IdTable, number>> = {};
    for (const t of ID_TABLES) {
      const r = await client.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('${t}', 'id')) AS id`);
      firstIds[t] = Number(r.rows[0]!.id);
    }

    // Foreign keys are checked and secondary indexes built once, after the load. Stock moves
    // stream while the simulation runs: each day's final moves (done or cancelled, never
    // to change) go to the server, which copies them on its own core meanwhile.
    let result: HistoryResult | undefined;
    const simStarted = performance.now();
    let writeStarted = simStarted;
    const written = await withForeignKeysCheckedOnce(tx, HISTORY_TABLES, async () => {
      const counts = await withIndexesBuiltOnce(client, HISTORY_TABLES, async () => {
        const moves = await CopyStream.open(client, 'stock_moves', MOVE_COLUMNS);
        try {
          const days = runHistory(network, ids, {
            start,
            end,
            seed: options.seed ?? network.spec.seed,
            actor,
            firstIds,
            balances,
            progress: (label, f) => progress(label, 0.02 + 0.6 * f)
          });
          for (let step = days.next(); ; step = days.next()) {
            if (step.done) {
              result = step.value;
              break;
            }
            await moves.write(step.value.map(moveLine).join(''));
            await new Promise((resolve) => setImmediate(resolve)); // let the socket flush
          }
          writeStarted = performance.now();
          // The moves still open at the end, in the same COPY.
          await moves.write(result.rows.moves.filter((m) => m.state !== 'done' && m.state !== 'cancelled').map(moveLine).join(''));
        } catch (err) {
          await moves.abort(String(err));
          throw err;
        }
        const streamed = await moves.end();
        const n = await copyHistory(client, result.rows, (label, f) => progress(label, 0.62 + 0.28 * f), ['stock_moves']);
        progress('building indexes', 0.9); // as they are created again
        return { ...n, stock_moves: streamed };
      });
      progress('checking foreign keys', 0.94); // as they are added back
      return counts;
    });
    calendarDays = result!.days;
    simulateMs = writeStarted - simStarted;
    for (const t of ID_TABLES) {
      await client.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), max(id)) FROM ${t} HAVING max(id) IS NOT NULL`);
    }
    writeMs = performance.now() - writeStarted;
    return written;
  });
  progress('analyzing', 0.97);
  const analyzed = performance.now();
  // Fresh statistics, or the first queries plan for the nearly empty tables of before; two at a time (two connections).
  const queue = [...HISTORY_TABLES];
  const analyze = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) await db.execute(sql.raw(`ANALYZE ${t}`));
  };
  await Promise.all([analyze(), analyze()]);
  writeMs += performance.now() - analyzed;
  progress('history written', 1);
  const used = process.cpuUsage(cpu);
  return {
    start: new Date(start),
    end: new Date(end),
    days: calendarDays,
    rows,
    simulateMs: Math.round(simulateMs),
    writeMs: Math.round(writeMs),
    totalMs: Math.round(performance.now() - began),
    cpuMs: Math.round((used.user + used.system) / 1000)
  };
}

import type { ClickHouseClient } from '@clickhouse/client';
import { createViews, type ModelView } from './model-view';
import { ensureMaterializedFacts } from './fact-refresh';
import { MATERIALIZED_VIEWS } from './materialized-facts';
import { SALES_FACTS } from './sales-facts';

/**
 * The analytical model: facts the KPIs read. Most are views over the landing
 * tables (read with FINAL, so a fact is the landed truth at the newest LSN); the
 * big ones are tables kept current by the ingest (materialized-facts.ts) behind
 * views of the same shape. Everything is rebuilt from the landing tables.
 */
export const MODEL_VIEWS: readonly ModelView[] = [...SALES_FACTS, ...MATERIALIZED_VIEWS];

/**
 * Skip indexes the refresh reads by: the version of every table it scans for
 * changes (new parts hold the new versions), and the document keys it narrows by.
 */
const LANDING_INDEXES: readonly { table: string; column: string }[] = [
  ...['sales_orders', 'sales_order_lines', 'shipments', 'shipment_lines', 'invoices', 'stock_moves', 'stock_balances', 'transfers', 'transfer_lines'].map((table) => ({
    table,
    column: '_version'
  })),
  ...['purchase_orders', 'purchase_order_lines', 'receipts', 'receipt_lines'].map((table) => ({ table, column: '_version' })),
  { table: 'transfer_lines', column: 'transfer_id' },
  { table: 'purchase_order_lines', column: 'purchase_order_id' },
  { table: 'receipts', column: 'purchase_order_id' },
  { table: 'receipt_lines', column: 'receipt_id' },
  { table: 'sales_order_lines', column: 'order_id' },
  { table: 'shipments', column: 'order_id' },
  { table: 'invoices', column: 'order_id' },
  { table: 'shipment_lines', column: 'order_line_id' }
];

async function ensureLandingIndexes(ch: ClickHouseClient): Promise<void> {
  const rs = await ch.query({ query: 'SELECT table, name FROM system.data_skipping_indices WHERE database = currentDatabase()', format: 'JSONEachRow' });
  const have = new Set((await rs.json<{ table: string; name: string }>()).map((r) => `${r.table}.${r.name}`));
  for (const { table, column } of LANDING_INDEXES) {
    const name = `${column.replace(/^_/, '')}_minmax`;
    if (have.has(`${table}.${name}`)) continue;
    await ch.command({ query: `ALTER TABLE ${table} ADD INDEX IF NOT EXISTS ${name} ${column} TYPE minmax GRANULARITY 1` });
    // Parts written before the index existed get it too (a background mutation).
    await ch.command({ query: `ALTER TABLE ${table} MATERIALIZE INDEX ${name}` });
  }
}

/** Creates or replaces every view and table of the model; run once the landing tables exist. */
export async function ensureAnalyticalModel(ch: ClickHouseClient): Promise<void> {
  await ensureLandingIndexes(ch);
  await ensureMaterializedFacts(ch);
  await createViews(ch, MODEL_VIEWS);
}

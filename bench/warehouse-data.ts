// The warehouse-queries benchmark's network, written in bulk SQL in one session:
// 4 regions, 6 warehouses, 5,000 products, 800 customers, 60 suppliers, and ~`lines`
// order lines over the last 90 days with their shipments, invoices and ledger moves.
// The supply side (transfers, POs, older ledger history, balances) is in warehouse-supply-data.ts.
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { SYSTEM_ACTOR } from '../app/lib/server/core/actor';
import { insertWarehouse } from '../app/lib/server/core/catalog';
import { createCoreDb } from '../app/lib/server/core/db';
import { transact } from '../app/lib/server/core/transaction';
import { generateSupply } from './warehouse-supply-data';

export interface WarehouseDataSize {
  moves: number;
  lines: number;
}
export type Progress = (label: string, fraction: number) => void;
type Run = (text: string, params?: unknown[]) => Promise<pg.QueryResult>;

const PRODUCTS = 5_000;
const CUSTOMERS = 800;
const SUPPLIERS = 60;
// Warehouse i (1-based): region, kind and zone. Regions 1 and 2 hold two warehouses each.
const NETWORK = [
  { region: 1, kind: 'central_dc', zone: 'Europe/Berlin' },
  { region: 1, kind: 'branch', zone: 'Europe/Berlin' },
  { region: 2, kind: 'branch', zone: 'Europe/London' },
  { region: 2, kind: 'branch', zone: 'Europe/London' },
  { region: 3, kind: 'branch', zone: 'America/New_York' },
  { region: 4, kind: 'depot', zone: 'UTC' }
] as const;
// Tables bulk-loaded here: their secondary indexes and foreign keys are dropped during the load and
// recreated after (the FKs re-validated in one pass each), which roughly halves the load time.
const BULK_TABLES = ['stock_moves', 'stock_balances', 'sales_orders', 'sales_order_lines', 'shipments', 'shipment_lines', 'invoices', 'payments', 'transfers', 'transfer_lines', 'purchase_orders', 'purchase_order_lines', 'receipts', 'receipt_lines'];

/** Generates the whole network; returns the row counts of the main tables. */
export async function generateWarehouseData(pool: pg.Pool, size: WarehouseDataSize, progress: Progress): Promise<Record<string, number>> {
  progress('master data', 0);
  await masterData(pool);
  const client = await pool.connect();
  const run: Run = (text, params) => client.query(text, params);
  try {
    // This session only (its connection is closed after): room for the index builds, no waiting on WAL flushes.
    await run(`SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; SET synchronous_commit = off`);
    const restore = await dropSecondary(run);
    await run(`SELECT setseed(0.42)`);
    await helpers(run);
    await sales(run, size.lines, progress);
    await generateSupply(run, size.moves, progress);
    progress('indexes and foreign keys', 0.97);
    for (const statement of restore) await run(statement);
    // Ids were written explicitly: move the identity sequences past them.
    await run(`DO $$ DECLARE t text; BEGIN FOREACH t IN ARRAY ARRAY['${BULK_TABLES.filter((t) => t !== 'stock_balances').join("','")}'] LOOP
                 EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), (SELECT coalesce(max(id), 1) FROM %I))', t, t);
               END LOOP; END $$`);
    await run('ANALYZE');
    const counts: Record<string, number> = {};
    for (const t of ['stock_moves', 'stock_balances', 'sales_orders', 'sales_order_lines', 'shipments', 'shipment_lines', 'invoices', 'transfers', 'transfer_lines', 'purchase_orders', 'purchase_order_lines', 'receipts']) {
      counts[t] = Number((await run(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    }
    progress('network ready', 1);
    return counts;
  } finally {
    client.release(true); // drops the session's temp tables and settings
  }
}

async function masterData(pool: pg.Pool): Promise<void> {
  const db = createCoreDb(pool);
  await transact(db, SYSTEM_ACTOR, 'bench.warehouse-network', async (tx) => {
    const regionIds: number[] = [];
    for (let r = 1; r <= 4; r++) {
      const [row] = (await tx.execute<{ id: number }>(sql`INSERT INTO regions (code, name) VALUES (${`R${r}`}, ${`Region ${r}`}) RETURNING id`)).rows;
      regionIds.push(Number(row!.id));
    }
    for (const [i, w] of NETWORK.entries()) {
      await insertWarehouse(tx, { code: `W${i + 1}`, name: `Warehouse ${i + 1}`, kind: w.kind, regionId: regionIds[w.region - 1]!, timeZone: w.zone });
    }
    // Products 1..1000 are A, ..2500 B, the rest C; 25 categories; cost 2.00-200.00, price cost +35 %.
    await tx.execute(sql`
      INSERT INTO products (sku, name, cost_minor, price_minor, category, abc_class)
      SELECT 'P-' || lpad(g::text, 5, '0'), 'Product ' || g, c, c * 135 / 100, 'cat-' || lpad(((g * 7) % 25)::text, 2, '0'),
             CASE WHEN g <= ${PRODUCTS / 5} THEN 'A' WHEN g <= ${PRODUCTS / 2} THEN 'B' ELSE 'C' END::abc_class
      FROM generate_series(1, ${PRODUCTS}::int) g, LATERAL (SELECT 200 + (g * 7919) % 19800 AS c) x`);
    await tx.execute(sql`
      INSERT INTO customers (code, name, region_id, tier, credit_limit_minor)
      SELECT 'C' || lpad(g::text, 4, '0'), 'Customer ' || g, (${sql.raw(`ARRAY[${regionIds.join(',')}]`)})[1 + g % 4],
             (CASE WHEN g % 10 = 0 THEN 'key' WHEN g % 3 = 0 THEN 'small' ELSE 'standard' END)::customer_tier, 1000000000000
      FROM generate_series(0, ${CUSTOMERS - 1}::int) g`);
    await tx.execute(sql`INSERT INTO suppliers (code, name) SELECT 'S' || lpad(g::text, 2, '0'), 'Supplier ' || g FROM generate_series(0, ${SUPPLIERS - 1}::int) g`);
  });
  const run: Run = (text, params) => pool.query(text, params);
  // Product index i (0-based) has primary supplier i % 60 (lead 5 + s % 20 days, also the POs'), and 40 % a second one.
  await run(`
    INSERT INTO supplier_products (supplier_id, product_id, cost_minor, lead_time_days, moq, pack_multiple)
    SELECT s.id, p.id, p.cost_minor * 9 / 10, 5 + x.s % 20, 10, (ARRAY[1, 6, 12])[1 + x.i % 3]
    FROM (SELECT id, cost_minor, row_number() OVER (ORDER BY id) - 1 AS i FROM products) p
    CROSS JOIN LATERAL (VALUES (p.i, p.i % ${SUPPLIERS}), (p.i, CASE WHEN p.i % 5 < 2 THEN (p.i * 7 + 13) % ${SUPPLIERS} END)) x(i, s)
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS s FROM suppliers) s ON s.s = x.s
    ON CONFLICT DO NOTHING`);
  // Lanes: the DC feeds every branch; W3 and W4 swap stock; W2 helps W3.
  await run(`
    INSERT INTO transfer_lanes (from_warehouse_id, to_warehouse_id, lead_time_days)
    SELECT f.id, t.id, l.days FROM (VALUES (1, 2, 1), (1, 3, 2), (1, 4, 2), (1, 5, 4), (1, 6, 3), (3, 4, 1), (4, 3, 1), (2, 3, 2)) l(f, t, days)
    JOIN warehouses f ON f.code = 'W' || l.f JOIN warehouses t ON t.code = 'W' || l.t`);
  // Reorder rules on 80 % of product x warehouse pairs: the DC (and branches, for a third of the C items) buy from
  // the primary supplier at its lead time, the other branches pull from the DC at the lane's lead time.
  await run(`
    INSERT INTO reorder_rules (product_id, warehouse_id, min_qty, max_qty, safety_stock, multiple, lead_time_days, source_supplier_id, source_warehouse_id)
    SELECT p.id, w.id, m, m * 3, m / 4, 1, CASE WHEN direct THEN sp.lead_time_days ELSE lane.lead_time_days END,
           CASE WHEN direct THEN sp.supplier_id END, CASE WHEN NOT direct THEN dc.id END
    FROM (SELECT id, abc_class, row_number() OVER (ORDER BY id) - 1 AS i FROM products) p
    CROSS JOIN warehouses w
    JOIN warehouses dc ON dc.code = 'W1'
    JOIN LATERAL (SELECT supplier_id, lead_time_days FROM supplier_products WHERE product_id = p.id ORDER BY lead_time_days DESC LIMIT 1) sp ON TRUE
    LEFT JOIN transfer_lanes lane ON lane.from_warehouse_id = dc.id AND lane.to_warehouse_id = w.id
    CROSS JOIN LATERAL (SELECT w.id = dc.id OR (p.abc_class = 'C' AND p.i % 3 = 0) AS direct,
                               (CASE p.abc_class WHEN 'A' THEN 60 WHEN 'B' THEN 20 ELSE 5 END) + (p.i % 10) AS m) x
    WHERE (p.i + w.id) % 5 <> 0`);
}

/** Drops the secondary indexes and foreign keys of the bulk tables; returns the statements that restore them. */
async function dropSecondary(run: Run): Promise<string[]> {
  const fks = await run(`SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                         WHERE contype = 'f' AND conrelid::regclass::text = ANY($1)`, [BULK_TABLES]);
  const idx = await run(`SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
                         WHERE i.indrelid::regclass::text = ANY($1) AND NOT i.indisprimary
                           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, [BULK_TABLES]);
  const restore: string[] = [];
  for (const r of fks.rows) {
    await run(`ALTER TABLE ${r.t} DROP CONSTRAINT ${r.conname}`);
    restore.push(`ALTER TABLE ${r.t} ADD CONSTRAINT ${r.conname} ${r.def}`);
  }
  for (const r of idx.rows) {
    await run(`DROP INDEX ${r.name}`);
    restore.unshift(r.def);
  }
  return restore;
}

/** Session helpers: warehouses by index with their locations, and a product pick skewed by ABC class. */
async function helpers(run: Run): Promise<void> {
  await run(`
    CREATE TEMP TABLE bw AS
    SELECT substr(w.code, 2)::int AS i, w.id, w.region_id,
           max(l.id) FILTER (WHERE l.kind = 'stock') AS stock, max(l.id) FILTER (WHERE l.kind = 'transit') AS transit,
           max(l.id) FILTER (WHERE l.kind = 'supplier') AS supplier, max(l.id) FILTER (WHERE l.kind = 'customer') AS customer,
           max(l.id) FILTER (WHERE l.kind = 'adjustment') AS adjustment, max(l.id) FILTER (WHERE l.kind = 'quality_hold') AS quality_hold,
           max(l.id) FILTER (WHERE l.kind = 'damaged') AS damaged
    FROM warehouses w JOIN locations l ON l.warehouse_id = w.id GROUP BY w.id`);
  const { rows } = await run(`SELECT min(id) AS p0, (SELECT min(id) FROM customers) AS c0 FROM products`);
  // A items take 60 % of the picks, B 30 %, C 10 %.
  await run(`
    CREATE FUNCTION pg_temp.pick(r1 float8, r2 float8) RETURNS int LANGUAGE sql IMMUTABLE AS $$
      SELECT ${rows[0].p0} + CASE WHEN r1 < 0.6 THEN floor(r2 * ${PRODUCTS / 5}) WHEN r1 < 0.9 THEN ${PRODUCTS / 5} + floor(r2 * ${(PRODUCTS * 3) / 10})
                                  ELSE ${PRODUCTS / 2} + floor(r2 * ${PRODUCTS / 2}) END::int $$`);
  await run(`CREATE FUNCTION pg_temp.c0() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT ${rows[0].c0}::int $$`);
  await run(`CREATE FUNCTION pg_temp.p0() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT ${rows[0].p0}::int $$`);
  await run(`CREATE TEMP TABLE bench_clock AS SELECT now() AS t`);
}

/**
 * ~lines/4 orders (1-7 lines) created over the last 90 days. 1 % cancelled, a few drafts today; the rest
 * confirmed within 30 min and shipped 4-72 h later. Per line: 2 % cancelled, 1 % partly cancelled, 8 %
 * half shipped and 2 % left out of the first shipment; what is left ships in a second shipment 3-20 days
 * later, or stays backordered (backordered_since = the first shipment) if that is still in the future.
 * Lines of orders not shipped yet wait (60 % reserved) with an open move at the promised date.
 */
async function sales(run: Run, lines: number, progress: Progress): Promise<void> {
  progress(`sales orders (${lines.toLocaleString('en')} lines)`, 0.02);
  await run(`
    CREATE TEMP TABLE bo AS
    SELECT g AS id, pg_temp.c0() + c AS customer_id, w.id AS warehouse_id, w.stock, w.customer, created_at, kind,
           CASE WHEN kind <> 'draft' THEN created_at + (1 + r1 * 30) * interval '1 minute' END AS confirmed_at,
           created_at + (1 + r1 * 30) * interval '1 minute' + (4 + r2 * 68) * interval '1 hour' AS first_at,
           created_at + (4 + r2 * 68) * interval '1 hour' + (3 + r3 * 17) * interval '1 day' AS second_at,
           (created_at + (2 + floor(r4 * 3)) * interval '1 day')::date AS promised_date,
           CASE WHEN r4 < 0.8 THEN 0 ELSE 250 * (1 + floor(r3 * 6))::int END AS discount_bp
    FROM (SELECT g, floor(random() * ${CUSTOMERS})::int AS c, (SELECT t FROM bench_clock) - random() * interval '90 days' AS created_at,
                 random() AS rs, random() AS rw, random() AS r1, random() AS r2, random() AS r3, random() AS r4
          FROM generate_series(1, ${Math.max(1, Math.round(lines / 4))}) g) x
    CROSS JOIN LATERAL (SELECT CASE WHEN rs < 0.01 THEN 'cancelled' WHEN rs < 0.02 AND created_at > (SELECT t FROM bench_clock) - interval '1 day' THEN 'draft' ELSE 'live' END AS kind) k
    JOIN bw w ON w.i = CASE c % 4 WHEN 0 THEN 1 + (rw < 0.5)::int WHEN 1 THEN 3 + (rw < 0.5)::int WHEN 2 THEN 5 ELSE 6 END`);
  // (`+ 0 * n` ties a LATERAL's random() to the row: PostgreSQL evaluates an uncorrelated subquery once.)
  await run(`
    CREATE TEMP TABLE bl AS
    SELECT *, demand - first_qty - second_qty AS backordered,
           CASE WHEN shipped AND demand - first_qty - second_qty > 0 THEN first_at END AS backordered_since,
           CASE WHEN kind = 'live' AND NOT shipped AND rr < 0.6 THEN demand ELSE 0 END AS reserved
    FROM (SELECT *, CASE WHEN shipped AND second_at <= (SELECT t FROM bench_clock) THEN demand - first_qty ELSE 0 END AS second_qty
          FROM (SELECT *, CASE WHEN NOT shipped OR demand = 0 THEN 0 WHEN fate < 0.11 THEN greatest(1, demand / 2)
                               WHEN fate < 0.13 AND line_no > 1 THEN 0 ELSE demand END AS first_qty
                FROM (SELECT *, ordered - cancelled AS demand
                      FROM (SELECT row_number() OVER (ORDER BY o.id, n) AS id, o.id AS order_id, n AS line_no, pg_temp.pick(random(), random()) AS product_id,
                                   ordered, fate, random() AS rr, o.kind, o.first_at, o.second_at, o.kind = 'live' AND o.first_at <= (SELECT t FROM bench_clock) AS shipped,
                                   CASE WHEN o.kind = 'cancelled' OR (o.kind = 'live' AND fate < 0.02) THEN ordered WHEN o.kind = 'live' AND fate < 0.03 THEN ordered / 3 ELSE 0 END AS cancelled
                            FROM bo o CROSS JOIN LATERAL generate_series(1, 1 + ((o.id::bigint * 7919) % 7)::int) n
                            CROSS JOIN LATERAL (SELECT 1 + floor(random() ^ 2 * 24)::int + 0 * n AS ordered, random() + 0 * n AS fate) r) a) b) c) d`);
  await run(`CREATE TEMP TABLE ba AS SELECT order_id, sum(first_qty) AS first_qty, sum(second_qty) AS second_qty, sum(backordered) AS backordered FROM bl GROUP BY order_id`);
  progress(`sales orders (${lines.toLocaleString('en')} lines)`, 0.05);
  await run(`
    INSERT INTO sales_orders (id, customer_id, warehouse_id, state, priority, discount_bp, requested_date, promised_date, created_at, confirmed_at, cancelled_at)
    SELECT o.id, o.customer_id, o.warehouse_id,
           (CASE WHEN o.kind <> 'live' THEN o.kind WHEN a.backordered > 0 THEN 'confirmed' ELSE 'done' END)::sales_order_state,
           (o.id % 10 = 0)::int, o.discount_bp, o.promised_date, o.promised_date, o.created_at, o.confirmed_at,
           CASE WHEN o.kind = 'cancelled' THEN o.confirmed_at + interval '2 hours' END
    FROM bo o JOIN ba a ON a.order_id = o.id`);
  await run(`
    INSERT INTO sales_order_lines (id, order_id, line_no, product_id, ordered_qty, unit_price_minor, reserved_qty, shipped_qty, backordered_qty, cancelled_qty, promised_date, backordered_since)
    SELECT l.id, l.order_id, l.line_no, l.product_id, l.ordered, p.price_minor, l.reserved, l.first_qty + l.second_qty, l.backordered, l.cancelled,
           CASE WHEN l.rr > 0.9 THEN o.promised_date + 2 END, l.backordered_since
    FROM bl l JOIN products p ON p.id = l.product_id JOIN bo o ON o.id = l.order_id`);
  progress(`shipments and invoices`, 0.1);
  // Shipment 2n-1 is order n's first, 2n its second; shipment line 2k-1 / 2k likewise for order line k.
  await run(`
    INSERT INTO shipments (id, order_id, state, picked_at, packed_at, shipped_at)
    SELECT s.id, o.id, 'shipped', s.at - (0.5 + random() * 3) * interval '1 hour', s.at - interval '20 minutes', s.at
    FROM bo o JOIN ba a ON a.order_id = o.id
    CROSS JOIN LATERAL (VALUES (2 * o.id - 1, o.first_at, a.first_qty), (2 * o.id, o.second_at, a.second_qty)) s(id, at, qty)
    WHERE s.qty > 0`);
  await run(`
    INSERT INTO shipment_lines (id, shipment_id, order_line_id, qty)
    SELECT s.id, s.shipment_id, l.id, s.qty FROM bl l
    CROSS JOIN LATERAL (VALUES (2 * l.id - 1, 2 * l.order_id - 1, l.first_qty), (2 * l.id, 2 * l.order_id, l.second_qty)) s(id, shipment_id, qty)
    WHERE s.qty > 0`);
  // Invoiced 0-48 h after shipping (not yet, if that is in the future); paid 25 days later.
  await run(`
    INSERT INTO invoices (id, order_id, shipment_id, amount_minor, paid_minor, state, issued_at, due_date)
    SELECT id, order_id, id, amount, CASE WHEN paid THEN amount ELSE 0 END, (CASE WHEN paid THEN 'paid' ELSE 'open' END)::invoice_state, issued_at, issued_at::date + 30
    FROM (SELECT s.id, s.order_id, s.issued_at, s.issued_at < (SELECT t FROM bench_clock) - interval '25 days' AS paid,
                 (sum(sl.qty * l.unit_price_minor) * (10000 - min(o.discount_bp)) / 10000)::bigint AS amount
          FROM (SELECT id, order_id, shipped_at + random() * interval '48 hours' AS issued_at FROM shipments) s
          JOIN shipment_lines sl ON sl.shipment_id = s.id JOIN sales_order_lines l ON l.id = sl.order_line_id JOIN sales_orders o ON o.id = s.order_id
          WHERE s.issued_at <= (SELECT t FROM bench_clock)
          GROUP BY s.id, s.order_id, s.issued_at) x`);
  await run(`INSERT INTO payments (invoice_id, amount_minor, paid_at) SELECT id, amount_minor, issued_at + interval '25 days' FROM invoices WHERE state = 'paid'`);
  progress(`sales moves`, 0.14);
  await run(`
    INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, document_line_id, created_at, done_at)
    SELECT l.product_id, sl.qty, o.stock, o.customer, 'done', 'sales_order', o.id, l.id, o.confirmed_at, s.shipped_at
    FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id JOIN bl l ON l.id = sl.order_line_id JOIN bo o ON o.id = l.order_id`);
  await run(`
    INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, document_line_id, scheduled_date, created_at)
    SELECT l.product_id, l.backordered, o.stock, o.customer, (CASE WHEN l.reserved > 0 THEN 'reserved' ELSE 'confirmed' END)::move_state,
           'sales_order', o.id, l.id, o.promised_date, o.confirmed_at
    FROM bl l JOIN bo o ON o.id = l.order_id WHERE o.kind = 'live' AND l.backordered > 0`);
}

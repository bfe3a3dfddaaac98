import { sql } from 'drizzle-orm';
import type { Db } from '../core/db';

/**
 * What the core (PostgreSQL) says about one product's supply across the
 * network, beyond the stock levels of core/stock.ts: when inbound arrives, what
 * customers already wait for, what is proposed but not yet scheduled. Read from
 * the core so the drill-down is as fresh as the last commit.
 */

/** Today in each warehouse's own time zone, by the business clock. */
export async function warehouseToday(db: Db): Promise<Map<number, string>> {
  const { rows } = await db.execute<{ id: number; day: string }>(
    sql`SELECT id, to_char((business_now() AT TIME ZONE time_zone)::date, 'YYYY-MM-DD') AS day FROM warehouses`
  );
  return new Map(rows.map((r) => [Number(r.id), r.day]));
}

export interface InboundRow {
  warehouseId: number;
  date: string | null;
  documentType: string;
  documentId: number;
  qty: number;
}

/**
 * Open moves that will put the product into a warehouse's stock: from outside
 * the warehouse into its stock or transit location (POs sent, transfers
 * approved, returns), and from its transit location into its stock (transfers
 * shipped, awaiting receipt). As the core's `incoming`, each unit counts once.
 */
export async function inboundSchedule(db: Db, productId: number): Promise<InboundRow[]> {
  const { rows } = await db.execute<{ warehouse_id: number; date: string | null; document_type: string; document_id: number; qty: number }>(sql`
    SELECT dst.warehouse_id, to_char(m.scheduled_date, 'YYYY-MM-DD') AS date, m.document_type::text AS document_type,
           m.document_id, sum(m.qty)::int AS qty
    FROM stock_moves m
    JOIN locations dst ON dst.id = m.to_location_id AND dst.kind IN ('stock', 'transit')
    JOIN locations src ON src.id = m.from_location_id
    WHERE m.product_id = ${productId} AND m.state IN ('confirmed', 'reserved')
      AND (src.warehouse_id <> dst.warehouse_id
           OR src.kind NOT IN ('stock', 'quality_hold', 'damaged', 'transit')
           OR (src.kind = 'transit' AND dst.kind = 'stock'))
    GROUP BY 1, 2, 3, 4
    ORDER BY 2 NULLS FIRST, 4`);
  return rows.map((r) => ({ warehouseId: Number(r.warehouse_id), date: r.date, documentType: r.document_type, documentId: Number(r.document_id), qty: Number(r.qty) }));
}

/** Units confirmed orders still wait for per warehouse: backordered and not yet reserved (as the stock-at-risk KPI's `owed`). */
export async function owedUnits(db: Db, productId: number): Promise<Map<number, number>> {
  const { rows } = await db.execute<{ warehouse_id: number; owed: number }>(sql`
    SELECT o.warehouse_id, sum(l.backordered_qty - l.reserved_qty)::int AS owed
    FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
    WHERE l.product_id = ${productId} AND o.state = 'confirmed' AND l.backordered_qty > l.reserved_qty
    GROUP BY 1`);
  return new Map(rows.map((r) => [Number(r.warehouse_id), Number(r.owed)]));
}

export interface ProposalRow {
  warehouseId: number;
  kind: 'purchase_order' | 'transfer';
  documentId: number;
  qty: number;
}

/** Draft PO lines and requested transfers of the product: proposed, not yet scheduled (what the reorder run counts as covered). */
export async function pendingProposals(db: Db, productId: number): Promise<ProposalRow[]> {
  const { rows } = await db.execute<{ warehouse_id: number; kind: 'purchase_order' | 'transfer'; document_id: number; qty: number }>(sql`
    SELECT o.warehouse_id, 'purchase_order' AS kind, o.id AS document_id, sum(l.ordered_qty)::int AS qty
    FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id
    WHERE l.product_id = ${productId} AND o.state = 'draft'
    GROUP BY 1, 3
    UNION ALL
    SELECT t.to_warehouse_id, 'transfer', t.id, sum(l.qty)::int
    FROM transfer_lines l JOIN transfers t ON t.id = l.transfer_id
    WHERE l.product_id = ${productId} AND t.state = 'requested'
    GROUP BY 1, 3
    ORDER BY 3`);
  return rows.map((r) => ({ warehouseId: Number(r.warehouse_id), kind: r.kind, documentId: Number(r.document_id), qty: Number(r.qty) }));
}

/** Units of the product in requested (not yet approved) transfers out of each warehouse: promised away, not yet scheduled. */
export async function requestedOut(db: Db, productId: number): Promise<Map<number, number>> {
  const { rows } = await db.execute<{ warehouse_id: number; qty: number }>(sql`
    SELECT t.from_warehouse_id AS warehouse_id, sum(l.qty)::int AS qty
    FROM transfer_lines l JOIN transfers t ON t.id = l.transfer_id
    WHERE l.product_id = ${productId} AND t.state = 'requested'
    GROUP BY 1`);
  return new Map(rows.map((r) => [Number(r.warehouse_id), Number(r.qty)]));
}

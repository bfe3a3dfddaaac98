import { sql } from 'drizzle-orm';
import type { Db } from './db';

/**
 * The ledger's invariants (DESIGN.md) as queries that list violations. Tests
 * assert they are empty; the reconciliation job reports them in production.
 */
export async function ledgerViolations(db: Db): Promise<string[]> {
  const found: string[] = [];
  const onHand = await db.execute<{ product_id: number; location_id: number; on_hand: number; ledger: number }>(sql`
    WITH ledger AS (
      SELECT product_id, location_id, sum(qty)::int AS qty FROM (
        SELECT product_id, to_location_id AS location_id, qty FROM stock_moves WHERE state = 'done'
        UNION ALL
        SELECT product_id, from_location_id, -qty FROM stock_moves WHERE state = 'done') m
      GROUP BY 1, 2)
    SELECT coalesce(b.product_id, l.product_id) AS product_id, coalesce(b.location_id, l.location_id) AS location_id,
           coalesce(b.on_hand, 0) AS on_hand, coalesce(l.qty, 0) AS ledger
    FROM stock_balances b FULL JOIN ledger l ON l.product_id = b.product_id AND l.location_id = b.location_id
    WHERE coalesce(b.on_hand, 0) <> coalesce(l.qty, 0)`);
  for (const r of onHand.rows) found.push(`1: product ${r.product_id} at location ${r.location_id}: on hand ${r.on_hand}, ledger ${r.ledger}`);

  const reserved = await db.execute<{ product_id: number; location_id: number; reserved: number; on_hand: number; lines: number }>(sql`
    WITH lines AS (
      SELECT l.product_id, loc.id AS location_id, sum(l.reserved_qty)::int AS reserved
      FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
      JOIN locations loc ON loc.warehouse_id = o.warehouse_id AND loc.kind = 'stock'
      GROUP BY 1, 2)
    SELECT b.product_id, b.location_id, b.reserved, b.on_hand, coalesce(lines.reserved, 0) AS lines
    FROM stock_balances b LEFT JOIN lines ON lines.product_id = b.product_id AND lines.location_id = b.location_id
    WHERE (NOT b.is_virtual AND (b.reserved < 0 OR b.reserved > b.on_hand)) OR b.reserved <> coalesce(lines.reserved, 0)`);
  for (const r of reserved.rows) found.push(`2: product ${r.product_id} at location ${r.location_id}: reserved ${r.reserved} (lines ${r.lines}), on hand ${r.on_hand}`);

  const lines = await db.execute<{ id: number }>(sql`
    SELECT id FROM sales_order_lines
    WHERE shipped_qty + backordered_qty + cancelled_qty <> ordered_qty OR reserved_qty > ordered_qty - shipped_qty - cancelled_qty`);
  for (const r of lines.rows) found.push(`3: order line ${r.id} does not balance`);

  const transit = await db.execute<{ id: number; open: number; expected: number }>(sql`
    SELECT tl.id, coalesce(sum(m.qty), 0)::int AS open, tl.shipped_qty - tl.received_qty - tl.short_qty - tl.damaged_qty AS expected
    FROM transfer_lines tl JOIN transfers t ON t.id = tl.transfer_id
    LEFT JOIN stock_moves m ON m.document_type = 'transfer' AND m.document_line_id = tl.id AND m.state IN ('confirmed', 'reserved')
      AND m.from_location_id IN (SELECT id FROM locations WHERE kind = 'transit')
    WHERE t.state IN ('shipped', 'received')
    GROUP BY tl.id
    HAVING coalesce(sum(m.qty), 0) <> tl.shipped_qty - tl.received_qty - tl.short_qty - tl.damaged_qty`);
  for (const r of transit.rows) found.push(`4: transfer line ${r.id}: open in transit ${r.open}, expected ${r.expected}`);
  return found;
}

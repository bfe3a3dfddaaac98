import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { execPrepared } from './prepared';

/**
 * Reserves free stock at a warehouse for open order lines of the given products,
 * in reservation order: priority (high first), promised date, confirmation time.
 * Called when an order is confirmed or approved and whenever stock arrives
 * (receipt, transfer, return, count), so backorders fill oldest-first.
 *
 * Two statements whatever the number of products (confirmation is the hot path):
 * the balance rows are locked first, in product order, so concurrent
 * allocations of a product queue there and can never reserve more than is on
 * hand; then one statement shares the free stock out along the queue (a running
 * sum per product), updates the lines, their open moves and the balances. A line
 * changed meanwhile by a transaction that did not hold the balance lock is
 * skipped (re-checked on the locked row), and the balance takes only what the
 * lines took. Returns the quantity reserved per order line.
 */
export async function allocate(tx: Tx, warehouseId: number, productIds: number[]): Promise<Map<number, number>> {
  const ids = [...new Set(productIds.map(Number))].sort((a, b) => a - b);
  if (ids.length === 0) return new Map();
  // Fixed statement text with array parameters: prepared once per connection.
  const products = sql`${sql.param(ids)}::int[]`;
  const stock = sql`(SELECT id FROM locations WHERE warehouse_id = ${warehouseId}::int AND kind = 'stock')`;
  const locked = await execPrepared<{ product_id: number }>(tx, 'opstower_allocate_lock', sql`
    SELECT product_id FROM stock_balances
    WHERE location_id = ${stock} AND product_id = ANY(${products}) AND on_hand > reserved
    ORDER BY product_id FOR UPDATE`);
  if (locked.length === 0) return new Map();
  const taken = await execPrepared<{ id: number; take: number }>(tx, 'opstower_allocate', sql`
    WITH free AS (
      SELECT product_id, location_id, on_hand - reserved AS free FROM stock_balances
      WHERE location_id = ${stock} AND product_id = ANY(${products}) AND on_hand > reserved),
    queue AS (
      SELECT l.id, l.product_id, l.backordered_qty - l.reserved_qty AS need,
             coalesce(sum(l.backordered_qty - l.reserved_qty) OVER (
               PARTITION BY l.product_id
               ORDER BY o.priority DESC, o.promised_date ASC NULLS LAST, o.confirmed_at ASC, l.id ASC
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ahead
      FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
      WHERE o.warehouse_id = ${warehouseId}::int AND o.state = 'confirmed'
        AND l.product_id IN (SELECT product_id FROM free) AND l.backordered_qty > l.reserved_qty),
    share AS (
      SELECT q.id, q.product_id, least(q.need, f.free - q.ahead)::int AS take
      FROM queue q JOIN free f ON f.product_id = q.product_id
      WHERE f.free > q.ahead),
    lines AS (
      UPDATE sales_order_lines l SET reserved_qty = l.reserved_qty + s.take
      FROM share s
      WHERE l.id = s.id AND l.backordered_qty - l.reserved_qty >= s.take
      RETURNING l.id, l.product_id, s.take, l.reserved_qty, l.backordered_qty),
    moves AS (
      -- One open move per line, found through its line (a join here lets a stale
      -- estimate scan every open order move instead).
      UPDATE stock_moves m
      SET state = CASE WHEN u.reserved_qty = u.backordered_qty THEN 'reserved'::move_state ELSE 'confirmed'::move_state END
      FROM lines u
      WHERE m.id = (SELECT o.id FROM stock_moves o
                    WHERE o.document_line_id = u.id AND o.document_type = 'sales_order' AND o.state IN ('confirmed', 'reserved')
                    LIMIT 1)),
    balances AS (
      UPDATE stock_balances b SET reserved = b.reserved + t.total, updated_at = now()
      FROM (SELECT product_id, sum(take)::int AS total FROM lines GROUP BY product_id) t
      WHERE b.product_id = t.product_id AND b.location_id = ${stock})
    SELECT id, take FROM lines`);
  return new Map(taken.map((r) => [Number(r.id), Number(r.take)]));
}

/** An order line's open move is 'reserved' when its remainder is fully reserved, else 'confirmed'. */
export async function syncMoveStates(tx: Tx, lineIds: number[]): Promise<void> {
  if (lineIds.length === 0) return;
  await tx.execute(sql`
    UPDATE stock_moves m
    SET state = CASE WHEN l.reserved_qty = l.backordered_qty THEN 'reserved'::move_state ELSE 'confirmed'::move_state END
    FROM sales_order_lines l
    WHERE m.document_type = 'sales_order' AND m.document_line_id = l.id
      AND m.state IN ('confirmed', 'reserved')
      AND l.id IN ${sql.raw(`(${lineIds.map(Number).join(',')})`)}`);
}

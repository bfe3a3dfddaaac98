import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { changeReserved } from './ledger';
import { warehouseLocations } from './locations';

/**
 * Reserves free stock at a warehouse for open order lines of the given products,
 * in reservation order: priority (high first), promised date, confirmation time.
 * Called when an order is confirmed or approved and whenever stock arrives
 * (receipt, transfer, return, count), so backorders fill oldest-first.
 *
 * The balance row is locked first (FOR UPDATE), products in id order: concurrent
 * confirmations queue on it and can never reserve more than is on hand.
 * Returns the quantity reserved per order line.
 */
export async function allocate(tx: Tx, warehouseId: number, productIds: number[]): Promise<Map<number, number>> {
  const reservedByLine = new Map<number, number>();
  const { stock } = await warehouseLocations(tx, warehouseId);
  for (const productId of [...new Set(productIds)].sort((a, b) => a - b)) {
    const balance = await tx.execute<{ free: number }>(sql`
      SELECT on_hand - reserved AS free FROM stock_balances
      WHERE product_id = ${productId} AND location_id = ${stock} FOR UPDATE`);
    let free = Number(balance.rows[0]?.free ?? 0);
    if (free <= 0) continue;
    const lines = await tx.execute<{ id: number; need: number }>(sql`
      SELECT l.id, l.backordered_qty - l.reserved_qty AS need
      FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
      WHERE o.warehouse_id = ${warehouseId} AND o.state = 'confirmed'
        AND l.product_id = ${productId} AND l.backordered_qty > l.reserved_qty
      ORDER BY o.priority DESC, o.promised_date ASC NULLS LAST, o.confirmed_at ASC, l.id ASC
      FOR UPDATE OF l`);
    let total = 0;
    const ids: number[] = [];
    const takes: number[] = [];
    for (const line of lines.rows) {
      if (free <= 0) break;
      const take = Math.min(Number(line.need), free);
      free -= take;
      total += take;
      ids.push(Number(line.id));
      takes.push(take);
      reservedByLine.set(Number(line.id), take);
    }
    if (total === 0) continue;
    await tx.execute(sql`
      UPDATE sales_order_lines l SET reserved_qty = l.reserved_qty + v.take
      FROM unnest(${sql.raw(`ARRAY[${ids.join(',')}]::bigint[]`)}, ${sql.raw(`ARRAY[${takes.join(',')}]::int[]`)}) AS v(id, take)
      WHERE l.id = v.id`);
    await syncMoveStates(tx, ids);
    await changeReserved(tx, productId, stock, total);
  }
  return reservedByLine;
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

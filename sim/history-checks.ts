import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../app/lib/server/core/db';

/**
 * Checks beyond the core's ledgerViolations that every document agrees with
 * the ledger, as the services would have left it: order lines (invariant 3)
 * against their shipments, invoices and stock moves; transfers (invariant 4)
 * against their moves and the transit balances; purchase orders against their
 * receipts and moves. Each query lists offenders; all empty means consistent.
 */
const CHECKS: [string, SQL][] = [
  [
    '3: order line shipped qty differs from its shipped shipment lines or its done moves',
    sql`SELECT l.id FROM sales_order_lines l
        LEFT JOIN (SELECT sl.order_line_id, sum(sl.qty) AS qty FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id
                   WHERE s.state = 'shipped' GROUP BY 1) sh ON sh.order_line_id = l.id
        LEFT JOIN (SELECT document_line_id, sum(qty) AS qty FROM stock_moves WHERE document_type = 'sales_order' AND state = 'done' GROUP BY 1) m
          ON m.document_line_id = l.id
        WHERE l.shipped_qty <> coalesce(sh.qty, 0) OR l.shipped_qty <> coalesce(m.qty, 0)`
  ],
  [
    '3: order line still to ship differs from its open move (or its move state from its reservation)',
    sql`SELECT l.id FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
        LEFT JOIN (SELECT document_line_id, count(*) AS n, sum(qty) AS qty, min(state::text) AS state FROM stock_moves
                   WHERE document_type = 'sales_order' AND state IN ('confirmed', 'reserved') GROUP BY 1) m ON m.document_line_id = l.id
        WHERE CASE WHEN o.state = 'confirmed' AND l.backordered_qty > 0
                   THEN m.n IS DISTINCT FROM 1 OR m.qty <> l.backordered_qty
                        OR m.state <> CASE WHEN l.reserved_qty = l.backordered_qty THEN 'reserved' ELSE 'confirmed' END
                   ELSE m.n IS NOT NULL OR l.reserved_qty > 0 END`
  ],
  [
    '3: order state does not follow its lines',
    sql`SELECT o.id FROM sales_orders o JOIN sales_order_lines l ON l.order_id = o.id GROUP BY o.id, o.state
        HAVING (o.state = 'done' AND (max(l.backordered_qty) > 0 OR max(l.shipped_qty) = 0))
            OR (o.state = 'confirmed' AND max(l.backordered_qty) = 0)
            OR (o.state IN ('draft', 'awaiting_approval') AND (max(l.shipped_qty) > 0 OR max(l.reserved_qty) > 0))`
  ],
  [
    'invoice amount or payments differ from its shipment and payments',
    sql`SELECT i.id FROM invoices i JOIN sales_orders o ON o.id = i.order_id
        JOIN (SELECT sl.shipment_id, sum(sl.qty::numeric * l.unit_price_minor) AS gross FROM shipment_lines sl
              JOIN sales_order_lines l ON l.id = sl.order_line_id GROUP BY 1) g ON g.shipment_id = i.shipment_id
        LEFT JOIN (SELECT invoice_id, sum(amount_minor) AS paid FROM payments GROUP BY 1) p ON p.invoice_id = i.id
        WHERE i.amount_minor <> floor((g.gross * (10000 - o.discount_bp) + 5000) / 10000)
           OR i.paid_minor <> coalesce(p.paid, 0) OR (i.state = 'paid') <> (i.paid_minor = i.amount_minor)`
  ],
  [
    '4: transfer line shipped, received, short or damaged differs from its done moves',
    sql`SELECT tl.id FROM transfer_lines tl JOIN transfers t ON t.id = tl.transfer_id
        LEFT JOIN (SELECT m.document_line_id,
                          sum(m.qty) FILTER (WHERE f.kind = 'stock' AND d.kind = 'transit') AS shipped,
                          sum(m.qty) FILTER (WHERE f.kind = 'transit' AND d.kind = 'stock') AS received,
                          sum(m.qty) FILTER (WHERE f.kind = 'transit' AND d.kind = 'adjustment') AS short,
                          sum(m.qty) FILTER (WHERE f.kind = 'transit' AND d.kind = 'damaged') AS damaged
                   FROM stock_moves m JOIN locations f ON f.id = m.from_location_id JOIN locations d ON d.id = m.to_location_id
                   WHERE m.document_type = 'transfer' AND m.state = 'done' GROUP BY 1) m ON m.document_line_id = tl.id
        WHERE tl.shipped_qty <> coalesce(m.shipped, 0) OR tl.received_qty <> coalesce(m.received, 0)
           OR tl.short_qty <> coalesce(m.short, 0) OR tl.damaged_qty <> coalesce(m.damaged, 0)
           OR (t.state = 'received' AND tl.received_qty + tl.short_qty + tl.damaged_qty <> tl.shipped_qty)
           OR (t.state IN ('requested', 'approved', 'cancelled') AND tl.shipped_qty <> 0)`
  ],
  [
    '4: stock in a warehouse transit location differs from what its shipped transfers have in transit',
    sql`SELECT b.product_id, b.location_id FROM stock_balances b JOIN locations l ON l.id = b.location_id AND l.kind = 'transit'
        FULL JOIN (SELECT tl.product_id, dl.id AS location_id, sum(tl.shipped_qty - tl.received_qty - tl.short_qty - tl.damaged_qty) AS qty
                   FROM transfer_lines tl JOIN transfers t ON t.id = tl.transfer_id
                   JOIN locations dl ON dl.warehouse_id = t.to_warehouse_id AND dl.kind = 'transit'
                   WHERE t.state = 'shipped' GROUP BY 1, 2) x ON x.product_id = b.product_id AND x.location_id = b.location_id
        WHERE coalesce(b.on_hand, 0) <> coalesce(x.qty, 0)`
  ],
  [
    '4: approved transfer line without its open move for the requested qty',
    sql`SELECT tl.id FROM transfer_lines tl JOIN transfers t ON t.id = tl.transfer_id
        LEFT JOIN (SELECT document_line_id, sum(qty) AS qty FROM stock_moves WHERE document_type = 'transfer' AND state IN ('confirmed', 'reserved') GROUP BY 1) m
          ON m.document_line_id = tl.id
        WHERE (t.state = 'approved' AND m.qty IS DISTINCT FROM tl.qty::bigint) OR (t.state IN ('requested', 'received', 'cancelled') AND m.qty IS NOT NULL)`
  ],
  [
    'purchase order line received or rejected differs from its receipts or done moves, or its open move from what is still expected',
    sql`SELECT pl.id FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.purchase_order_id
        LEFT JOIN (SELECT purchase_order_line_id, sum(accepted_qty) AS accepted, sum(rejected_qty) AS rejected FROM receipt_lines GROUP BY 1) r
          ON r.purchase_order_line_id = pl.id
        LEFT JOIN (SELECT m.document_line_id,
                          sum(m.qty) FILTER (WHERE m.state = 'done' AND d.kind = 'stock') AS accepted,
                          sum(m.qty) FILTER (WHERE m.state = 'done' AND d.kind = 'quality_hold') AS rejected,
                          sum(m.qty) FILTER (WHERE m.state IN ('confirmed', 'reserved')) AS open
                   FROM stock_moves m JOIN locations d ON d.id = m.to_location_id
                   WHERE m.document_type = 'purchase_order' GROUP BY 1) m ON m.document_line_id = pl.id
        WHERE pl.received_qty <> coalesce(r.accepted, 0) OR pl.rejected_qty <> coalesce(r.rejected, 0)
           OR pl.received_qty <> coalesce(m.accepted, 0) OR pl.rejected_qty <> coalesce(m.rejected, 0)
           OR coalesce(m.open, 0) <> CASE WHEN po.state IN ('sent', 'partially_received')
                                          THEN greatest(pl.ordered_qty - pl.received_qty - pl.rejected_qty, 0) ELSE 0 END`
  ]
];

export async function historyViolations(db: Db): Promise<string[]> {
  const found: string[] = [];
  for (const [what, query] of CHECKS) {
    const rows = (await db.execute<Record<string, unknown>>(query)).rows;
    for (const r of rows.slice(0, 20)) found.push(`${what}: ${JSON.stringify(r)}`);
    if (rows.length > 20) found.push(`${what}: ... and ${rows.length - 20} more`);
  }
  return found;
}

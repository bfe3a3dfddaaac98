// The supply side of the warehouse-queries benchmark's network (see warehouse-data.ts, which
// calls this in the same session, with its temp tables bw / bl and helpers pg_temp.pick, p0):
// transfers and purchase orders with their moves over the whole ledger history, older
// outbound history, cycle-count adjustments, then opening balances and stock_balances.
import type pg from 'pg';

type Run = (text: string, params?: unknown[]) => Promise<pg.QueryResult>;
type Progress = (label: string, fraction: number) => void;

const CLOCK = '(SELECT t FROM bench_clock)';
const TRANSFER_LINES = 20;
const PO_LINES = 25;
const BATCH = 500_000;
// The lanes of warehouse-data.ts by index: 1-5 the DC's, 6-8 between branches.
const LANES = `(VALUES (1, 1, 2, 1), (2, 1, 3, 2), (3, 1, 4, 2), (4, 1, 5, 4), (5, 1, 6, 3), (6, 3, 4, 1), (7, 4, 3, 1), (8, 2, 3, 2)) AS lane(k, f, t, days)`;

/**
 * Fills the ledger up to ~`moves` moves. The older history (before the 90 days of sales documents)
 * is as long as the sales volume makes it: ~2/3 of what is left are archived outbound moves at the
 * same daily rate, so the ledger spans ~10 months at the default sizes. Of the rest, transfers
 * (two moves per line) take ~27 %, receipts ~4 % and cycle counts ~1.5 %.
 */
export async function generateSupply(run: Run, moves: number, progress: Progress): Promise<void> {
  const counts = (await run(`SELECT count(*) AS n, count(*) FILTER (WHERE state = 'done') AS done FROM stock_moves`)).rows[0];
  const salesMoves = Number(counts.n);
  const salesDone = Math.max(1, Number(counts.done));
  const pairs = 6 * 5_000;
  const rest = Math.max(0, moves - salesMoves - pairs);
  const days = Math.min(720, Math.max(90, Math.round(90 + (90 * 0.675 * rest) / salesDone)));
  const span = `${days} * interval '1 day'`;
  const transfers = Math.ceil((0.135 * rest) / TRANSFER_LINES);
  const pos = Math.ceil((0.04 * rest) / PO_LINES);

  progress(`transfers (${transfers.toLocaleString('en')}, ${days} days of history)`, 0.2);
  await run(`
    CREATE TEMP TABLE bt AS
    SELECT g AS id, f.id AS from_id, f.stock AS from_stock, t.id AS to_id, t.stock AS to_stock, t.transit AS to_transit, t.damaged AS to_damaged,
           requested_at, approved_at, shipped_at, received_at, (approved_at + (lane.days + 1) * interval '1 day')::date AS expected_arrival,
           CASE WHEN r6 < 0.02 THEN 'cancelled' WHEN received_at <= ${CLOCK} THEN 'received' WHEN shipped_at <= ${CLOCK} THEN 'shipped'
                WHEN approved_at <= ${CLOCK} THEN 'approved' ELSE 'requested' END AS state
    FROM (SELECT g, r1, r2, r6, requested_at, requested_at + (2 + r3 * 22) * interval '1 hour' AS approved_at,
                 requested_at + (2 + r3 * 22) * interval '1 hour' + (4 + r4 * 44) * interval '1 hour' AS shipped_at, r5
          FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
                       ${CLOCK} - random() * ${span} AS requested_at FROM generate_series(1, ${transfers}) g) x) y
    JOIN ${LANES} ON lane.k = CASE WHEN r1 < 0.8 THEN 1 + floor(r2 * 5) ELSE 6 + floor(r2 * 3) END
    JOIN bw f ON f.i = lane.f JOIN bw t ON t.i = lane.t
    CROSS JOIN LATERAL (SELECT shipped_at + lane.days * interval '1 day' + (r5 * 30 - 6) * interval '1 hour' AS received_at) r`);
  await run(`
    INSERT INTO transfers (id, from_warehouse_id, to_warehouse_id, state, expected_arrival, requested_at, approved_at, shipped_at, received_at, cancelled_at)
    SELECT id, from_id, to_id, state::transfer_state, expected_arrival, requested_at,
           CASE WHEN state NOT IN ('requested', 'cancelled') THEN approved_at END, CASE WHEN state IN ('shipped', 'received') THEN shipped_at END,
           CASE WHEN state = 'received' THEN received_at END, CASE WHEN state = 'cancelled' THEN requested_at + interval '1 hour' END
    FROM bt`);
  await run(`
    CREATE TEMP TABLE btl AS
    SELECT (t.id - 1) * ${TRANSFER_LINES} + n AS id, t.id AS transfer_id, pg_temp.pick(random(), random()) AS product_id, q.qty,
           CASE WHEN t.state IN ('shipped', 'received') THEN q.qty ELSE 0 END AS shipped_qty,
           CASE WHEN t.state = 'received' AND q.qty > 1 AND random() < 0.01 THEN 1 ELSE 0 END AS damaged_qty
    FROM bt t CROSS JOIN generate_series(1, ${TRANSFER_LINES}) n CROSS JOIN LATERAL (SELECT 10 * (1 + floor(random() * 20))::int + 0 * n AS qty) q`);
  await run(`
    INSERT INTO transfer_lines (id, transfer_id, product_id, qty, shipped_qty, received_qty, damaged_qty)
    SELECT l.id, l.transfer_id, l.product_id, l.qty, l.shipped_qty, CASE WHEN t.state = 'received' THEN l.shipped_qty - l.damaged_qty ELSE 0 END, l.damaged_qty
    FROM btl l JOIN bt t ON t.id = l.transfer_id`);
  // Approved: open A.stock -> B.transit. Shipped: that move done, open B.transit -> B.stock. Received: all done.
  for (let from = 0; from < transfers; from += BATCH / TRANSFER_LINES) {
    progress(`transfer moves`, 0.2 + (0.15 * from) / transfers);
    await run(`
      INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, document_line_id, scheduled_date, created_at, done_at)
      SELECT l.product_id, m.qty, m.from_loc, m.to_loc, m.state::move_state, 'transfer', t.id, l.id, CASE WHEN m.at IS NULL THEN t.expected_arrival END, t.approved_at, m.at
      FROM bt t JOIN btl l ON l.transfer_id = t.id
      CROSS JOIN LATERAL (VALUES
        (t.state IN ('approved', 'shipped', 'received'), l.qty, t.from_stock, t.to_transit, CASE WHEN t.state = 'approved' THEN 'confirmed' ELSE 'done' END,
         CASE WHEN t.state <> 'approved' THEN t.shipped_at END),
        (t.state IN ('shipped', 'received'), l.qty - l.damaged_qty, t.to_transit, t.to_stock, CASE WHEN t.state = 'shipped' THEN 'confirmed' ELSE 'done' END,
         CASE WHEN t.state = 'received' THEN t.received_at END),
        (t.state = 'received' AND l.damaged_qty > 0, l.damaged_qty, t.to_transit, t.to_damaged, 'done', t.received_at)) m(happens, qty, from_loc, to_loc, state, at)
      WHERE m.happens AND t.id > $1 AND t.id <= $2`, [from, from + BATCH / TRANSFER_LINES]);
  }

  progress(`purchase orders (${pos.toLocaleString('en')})`, 0.36);
  await run(`
    CREATE TEMP TABLE bp AS
    SELECT g AS id, s.id AS supplier_id, s.s, w.id AS warehouse_id, w.stock, w.supplier, w.quality_hold, created_at, sent_at,
           (sent_at + (5 + s.s % 20) * interval '1 day')::date AS expected_date, received_at, r3 > 0.07 AS in_full,
           CASE WHEN r4 < 0.01 THEN 'cancelled' WHEN created_at > ${CLOCK} - interval '2 days' AND r4 < 0.2 THEN 'draft'
                WHEN received_at <= ${CLOCK} THEN 'received' ELSE 'sent' END AS state
    FROM (SELECT g, r1, r3, r4, created_at, created_at + interval '1 hour' AS sent_at,
                 created_at + interval '1 hour' + (5 + (g % 60) % 20 + r2 * 6 - 2) * interval '1 day' AS received_at
          FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, ${CLOCK} - random() * ${span} AS created_at
                FROM generate_series(1, ${pos}) g) x) y
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS s FROM suppliers) s ON s.s = y.g % 60
    JOIN bw w ON w.i = CASE WHEN r1 < 0.8 THEN 1 ELSE 2 + floor(r1 * 100)::int % 5 END`);
  await run(`
    INSERT INTO purchase_orders (id, supplier_id, warehouse_id, state, expected_date, from_reorder, created_at, sent_at, closed_at)
    SELECT id, supplier_id, warehouse_id, state::purchase_order_state, expected_date, id % 3 = 0, created_at,
           CASE WHEN state <> 'draft' THEN sent_at END, CASE WHEN state = 'received' THEN received_at END
    FROM bp`);
  // Supplier s supplies product indexes s, s + 60, ... (its primary products); lines of an order not in full
  // are short by 10 % (30 % of them) and see 1-5 units rejected into quality hold (30 %).
  await run(`
    CREATE TEMP TABLE bpl AS
    SELECT (o.id - 1) * ${PO_LINES} + n AS id, o.id AS po_id, pg_temp.p0() + o.s + 60 * floor(random() * 83)::int AS product_id, q.ordered,
           CASE WHEN o.state = 'received' THEN q.ordered - q.short - q.rejected ELSE 0 END AS accepted,
           CASE WHEN o.state = 'received' THEN q.rejected ELSE 0 END AS rejected
    FROM bp o CROSS JOIN generate_series(1, ${PO_LINES}) n
    CROSS JOIN LATERAL (SELECT 50 * (1 + floor(random() * 20))::int + 0 * n AS ordered, random() AS r1, random() AS r2) r
    CROSS JOIN LATERAL (SELECT r.ordered, CASE WHEN NOT o.in_full AND r.r1 < 0.3 THEN r.ordered / 10 ELSE 0 END AS short,
                               CASE WHEN NOT o.in_full AND r.r2 < 0.3 THEN 1 + floor(r.r1 * 5)::int ELSE 0 END AS rejected) q`);
  await run(`
    INSERT INTO purchase_order_lines (id, purchase_order_id, product_id, ordered_qty, received_qty, rejected_qty, unit_cost_minor)
    SELECT l.id, l.po_id, l.product_id, l.ordered, l.accepted, l.rejected, sp.cost_minor
    FROM bpl l JOIN bp o ON o.id = l.po_id JOIN supplier_products sp ON sp.product_id = l.product_id AND sp.supplier_id = o.supplier_id`);
  await run(`
    INSERT INTO receipts (id, purchase_order_id, received_at, on_time, in_full)
    SELECT id, id, received_at, received_at::date <= expected_date, in_full FROM bp WHERE state = 'received'`);
  await run(`INSERT INTO receipt_lines (id, receipt_id, purchase_order_line_id, accepted_qty, rejected_qty) SELECT id, po_id, id, accepted, rejected FROM bpl WHERE accepted + rejected > 0`);
  await run(`
    INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, document_line_id, scheduled_date, created_at, done_at)
    SELECT l.product_id, m.qty, o.supplier, m.to_loc, m.state::move_state, 'purchase_order', o.id, l.id, CASE WHEN m.state = 'confirmed' THEN o.expected_date END,
           o.sent_at, CASE WHEN m.state = 'done' THEN o.received_at END
    FROM bp o JOIN bpl l ON l.po_id = o.id
    CROSS JOIN LATERAL (VALUES (o.state = 'sent', l.ordered, o.stock, 'confirmed'), (o.state = 'received' AND l.accepted > 0, l.accepted, o.stock, 'done'),
                               (o.state = 'received' AND l.rejected > 0, l.rejected, o.quality_hold, 'done')) m(happens, qty, to_loc, state)
    WHERE m.happens`);

  progress('cycle counts', 0.42);
  await run(`
    INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, created_at, done_at)
    SELECT pg_temp.pick(random(), random()), 1 + floor(random() * 5)::int, CASE WHEN up THEN w.adjustment ELSE w.stock END,
           CASE WHEN up THEN w.stock ELSE w.adjustment END, 'done', 'cycle_count', g, at, at
    FROM (SELECT g, random() < 0.4 AS up, 1 + floor(random() * 6)::int AS wi, ${CLOCK} - random() * ${span} AS at FROM generate_series(1, ${Math.round(0.015 * rest)}) g) x
    JOIN bw w ON w.i = x.wi`);

  // Archived outbound: sales before the 90 days of documents, at the same daily rate (their orders are not generated).
  const sofar = Number((await run(`SELECT count(*) AS n FROM stock_moves`)).rows[0].n);
  const history = Math.max(0, moves - sofar - pairs);
  for (let done = 0; done < history; done += BATCH) {
    progress(`older ledger history (${history.toLocaleString('en')})`, 0.45 + (0.35 * done) / history);
    await run(`
      INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, created_at, done_at)
      SELECT pg_temp.pick(random(), random()), 1 + floor(random() ^ 2 * 24)::int, w.stock, w.customer, 'done', 'sales_order', 1000000000 + g, at, at
      FROM (SELECT g, floor(random() * 4)::int AS region, random() AS rw,
                   ${CLOCK} - interval '90 days' - random() * (${days} - 90) * interval '1 day' AS at
            FROM generate_series($1::int + 1, $2::int) g) x
      JOIN bw w ON w.i = CASE region WHEN 0 THEN 1 + (rw < 0.5)::int WHEN 1 THEN 3 + (rw < 0.5)::int WHEN 2 THEN 5 ELSE 6 END`, [done, Math.min(history, done + BATCH)]);
  }
  await openingBalances(run, days, progress);
}

/**
 * Opening balances a day before the history starts, sized per product x stock location so that the
 * balance now = a target cover (plus what is reserved): 10 % of the pairs with demand get less than
 * their lead time of cover (the stock at risk), the others lead time + 0-45 days; without demand 0-99 units.
 * Then stock_balances derived from every done move (invariant 1), reserved = the lines' reservations.
 */
async function openingBalances(run: Run, days: number, progress: Progress): Promise<void> {
  progress('opening balances', 0.82);
  await run(`
    INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, created_at, done_at)
    SELECT p.id, opening, w.supplier, w.stock, 'done', 'opening_balance', p.id, ${CLOCK} - ${days + 1} * interval '1 day', ${CLOCK} - ${days + 1} * interval '1 day'
    FROM products p CROSS JOIN bw w
    LEFT JOIN (SELECT product_id, loc, sum(net) AS net, sum(d28) AS d28
               FROM (SELECT product_id, from_location_id AS loc, -qty AS net,
                            CASE WHEN done_at >= ${CLOCK} - interval '28 days' AND document_type = 'sales_order' THEN qty ELSE 0 END AS d28
                     FROM stock_moves WHERE state = 'done'
                     UNION ALL SELECT product_id, to_location_id, qty, 0 FROM stock_moves WHERE state = 'done') m
               GROUP BY 1, 2) m ON m.product_id = p.id AND m.loc = w.stock
    LEFT JOIN (SELECT l.product_id, o.warehouse_id, sum(l.reserved_qty) AS reserved FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
               WHERE l.reserved_qty > 0 GROUP BY 1, 2) r ON r.product_id = p.id AND r.warehouse_id = w.id
    LEFT JOIN reorder_rules rr ON rr.product_id = p.id AND rr.warehouse_id = w.id
    CROSS JOIN LATERAL (SELECT coalesce(rr.lead_time_days, 7) AS lead, coalesce(m.d28, 0) AS d28, random() AS r1, random() AS r2) x
    CROSS JOIN LATERAL (SELECT greatest(0, -coalesce(m.net, 0) + coalesce(r.reserved, 0) +
             CASE WHEN x.d28 = 0 THEN floor(x.r2 * 100) ELSE ceil(x.d28 / 28.0 * CASE WHEN x.r1 < 0.1 THEN x.r2 * x.lead ELSE x.lead + x.r2 * 45 END) END)::int AS opening) o
    WHERE o.opening > 0`);
  progress('stock balances', 0.9);
  await run(`
    INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual)
    SELECT m.product_id, m.location_id, sum(m.qty)::int, coalesce(max(r.reserved), 0)::int, l.kind NOT IN ('stock', 'quality_hold', 'damaged', 'transit')
    FROM (SELECT product_id, to_location_id AS location_id, qty FROM stock_moves WHERE state = 'done'
          UNION ALL SELECT product_id, from_location_id, -qty FROM stock_moves WHERE state = 'done') m
    JOIN locations l ON l.id = m.location_id
    LEFT JOIN (SELECT l.product_id, w.stock, sum(l.reserved_qty) AS reserved FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
               JOIN bw w ON w.id = o.warehouse_id WHERE l.reserved_qty > 0 GROUP BY 1, 2) r ON r.product_id = m.product_id AND r.stock = m.location_id
    GROUP BY m.product_id, m.location_id, l.kind`);
}

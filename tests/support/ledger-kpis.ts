import type pg from 'pg';
import {
  BACKORDER_BUCKETS,
  type BackorderAgingOutput,
  type BackorderBucket,
  type BackorderCell,
  type BackorderRow,
  type FillMeasure,
  type FillRateOutput,
  type FillRow
} from '../../schemas/api/kpi-sales';
import type { StockAtRiskRow } from '../../schemas/api/kpi-supply';

/**
 * The fill-rate, backorder-aging and stock-at-risk KPIs computed the way a
 * transactional ERP would: plain SQL over the PostgreSQL core tables (orders,
 * shipments, the stock ledger and balances), independent of ClickHouse and of
 * its SQL. Definitions follow the headers of warehouse/kpi/fill-rate.ts,
 * backorder-aging.ts and stock-at-risk.ts; the results have the shapes of those
 * KPIs' `data`, so a test can compare them with toEqual. All the work is in SQL
 * (the benchmark times these over millions of rows); JS only shapes the few
 * grouped rows that come back.
 */

type Num = number | string | null;
const n = (v: Num): number => (v === null ? 0 : Number(v));
const ratio = (num: number, den: number) => (den === 0 ? null : num / den);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const INTERNAL = `('stock', 'quality_hold', 'damaged', 'transit')`;

// ---- fill rate -------------------------------------------------------------

interface FillSqlRow {
  grp: number;
  day: string | null;
  warehouse_id: number | null;
  region_id: number | null;
  orders: Num;
  lines: Num;
  units: Num;
  orders_first: Num;
  lines_first: Num;
  units_first: Num;
  orders_final: Num;
  lines_final: Num;
  units_final: Num;
}

/**
 * Lines of confirmed orders created in [from, to) with demand (ordered - cancelled) > 0.
 * Shipped quantities come from the shipment documents (shipment lines of shipped
 * shipments), not from the order line's running counter: first = the quantity of
 * the earliest shipped shipment (shipped_at, then shipment id), final = all of them.
 */
const FILL_SQL = `
WITH pop AS (
  SELECT l.id AS line_id, l.order_id, o.created_at, o.warehouse_id, w.region_id, w.time_zone,
         l.ordered_qty - l.cancelled_qty AS demand
  FROM sales_orders o
  JOIN sales_order_lines l ON l.order_id = o.id
  JOIN warehouses w ON w.id = o.warehouse_id
  WHERE o.confirmed_at IS NOT NULL AND o.created_at >= $1::timestamptz AND o.created_at < $2::timestamptz
    AND l.ordered_qty > l.cancelled_qty),
per_shipment AS (
  SELECT sl.order_line_id, s.id AS shipment_id, s.shipped_at, sum(sl.qty) AS qty
  FROM pop
  JOIN shipment_lines sl ON sl.order_line_id = pop.line_id
  JOIN shipments s ON s.id = sl.shipment_id
  WHERE s.state = 'shipped' AND s.shipped_at IS NOT NULL
  GROUP BY sl.order_line_id, s.id, s.shipped_at),
per_line AS (
  SELECT order_line_id, sum(qty) AS shipped, (array_agg(qty ORDER BY shipped_at, shipment_id))[1] AS first_qty
  FROM per_shipment GROUP BY order_line_id),
per_order AS (
  SELECT p.order_id, p.warehouse_id, p.region_id, (p.created_at AT TIME ZONE p.time_zone)::date AS local_day,
         count(*) AS lines, sum(p.demand) AS units,
         count(*) FILTER (WHERE coalesce(s.first_qty, 0) >= p.demand) AS lines_first,
         sum(least(coalesce(s.first_qty, 0), p.demand)) AS units_first,
         count(*) FILTER (WHERE coalesce(s.shipped, 0) >= p.demand) AS lines_final,
         sum(least(coalesce(s.shipped, 0), p.demand)) AS units_final
  FROM pop p LEFT JOIN per_line s ON s.order_line_id = p.line_id
  GROUP BY p.order_id, p.warehouse_id, p.region_id, local_day)
SELECT GROUPING(local_day, warehouse_id, region_id) AS grp, to_char(local_day, 'YYYY-MM-DD') AS day, warehouse_id, region_id,
       count(*) AS orders, sum(lines) AS lines, sum(units) AS units,
       count(*) FILTER (WHERE lines_first = lines) AS orders_first, sum(lines_first) AS lines_first, sum(units_first) AS units_first,
       count(*) FILTER (WHERE lines_final = lines) AS orders_final, sum(lines_final) AS lines_final, sum(units_final) AS units_final
FROM per_order
GROUP BY GROUPING SETS ((), (local_day), (warehouse_id), (region_id))`;

function fillMeasure(orders: number, lines: number, units: number, o: number, l: number, u: number): FillMeasure {
  return { ordersFilled: o, linesFilled: l, unitsShipped: u, orderFill: ratio(o, orders), lineFill: ratio(l, lines), unitFill: ratio(u, units) };
}

function fillRow(r: FillSqlRow | undefined): FillRow {
  const [orders, lines, units] = [n(r?.orders ?? 0), n(r?.lines ?? 0), n(r?.units ?? 0)];
  return {
    orders,
    lines,
    unitsDemanded: units,
    firstShipment: fillMeasure(orders, lines, units, n(r?.orders_first ?? 0), n(r?.lines_first ?? 0), n(r?.units_first ?? 0)),
    final: fillMeasure(orders, lines, units, n(r?.orders_final ?? 0), n(r?.lines_final ?? 0), n(r?.units_final ?? 0))
  };
}

export async function fillRateFromLedger(pool: pg.Pool, window: { from: string; to: string }): Promise<FillRateOutput> {
  const { rows } = await pool.query<FillSqlRow>(FILL_SQL, [window.from, window.to]);
  // GROUPING bits: local_day = 4, warehouse = 2, region = 1, set when the column is not grouped.
  const of = (grp: number) => rows.filter((r) => r.grp === grp);
  return {
    total: fillRow(of(7)[0]),
    byDay: of(3)
      .map((r) => ({ day: r.day!, ...fillRow(r) }))
      .sort((a, b) => a.day.localeCompare(b.day)),
    byWarehouse: of(5)
      .map((r) => ({ warehouseId: r.warehouse_id!, ...fillRow(r) }))
      .sort((a, b) => a.warehouseId - b.warehouseId),
    byRegion: of(6)
      .map((r) => ({ regionId: r.region_id!, ...fillRow(r) }))
      .sort((a, b) => a.regionId - b.regionId)
  };
}

// ---- backorder aging ---------------------------------------------------------

const GROUP_COLUMN = { warehouse: 'o.warehouse_id', customer: 'o.customer_id', product: 'l.product_id' } as const;

interface BackorderSqlRow {
  grp: number;
  group_key: Num;
  bucket: BackorderBucket | null;
  lines: Num;
  units: Num;
  value_minor: Num;
}

const emptyCell = (): BackorderCell => ({ lines: 0, units: 0, valueMinor: 0 });
const emptyBackorderRow = (): BackorderRow => ({
  ...emptyCell(),
  buckets: Object.fromEntries(BACKORDER_BUCKETS.map((b) => [b, emptyCell()])) as Record<BackorderBucket, BackorderCell>
});

/**
 * Open backordered lines of confirmed, not cancelled orders (backordered_qty > 0,
 * backordered_since set and not after the clock); age in whole days; value =
 * Σ qty × price × (10000 - discount_bp) / 10000 rounded half up once per cell.
 */
export async function backorderAgingFromLedger(
  pool: pg.Pool,
  options: { asOfTime?: string; groupBy?: keyof typeof GROUP_COLUMN }
): Promise<BackorderAgingOutput> {
  const clock = options.asOfTime ? new Date(options.asOfTime) : new Date();
  const key = options.groupBy ? GROUP_COLUMN[options.groupBy] : 'NULL::bigint';
  const sets = options.groupBy ? '(), (bucket), (group_key), (group_key, bucket)' : '(), (bucket)';
  // Without a group key there is nothing to ask GROUPING about: the rows are the total (3) and its buckets (2).
  const grp = options.groupBy ? 'GROUPING(group_key, bucket)' : '2 + GROUPING(bucket)';
  const { rows } = await pool.query<BackorderSqlRow>(
    `WITH open_lines AS (
       SELECT ${key} AS group_key, l.backordered_qty AS units,
              l.backordered_qty::numeric * l.unit_price_minor * (10000 - o.discount_bp) AS value_x10000,
              floor((extract(epoch FROM $1::timestamptz) - extract(epoch FROM l.backordered_since)) / 86400) AS age
       FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
       WHERE o.confirmed_at IS NOT NULL AND o.state <> 'cancelled' AND l.backordered_qty > 0
         AND l.backordered_since IS NOT NULL AND l.backordered_since <= $1::timestamptz),
     bucketed AS (
       SELECT *, CASE WHEN age <= 3 THEN '0-3' WHEN age <= 7 THEN '4-7' WHEN age <= 14 THEN '8-14' WHEN age <= 30 THEN '15-30' ELSE '31+' END AS bucket
       FROM open_lines)
     SELECT ${grp} AS grp, ${options.groupBy ? 'group_key' : 'NULL'} AS group_key, bucket, count(*) AS lines, sum(units) AS units,
            div(sum(value_x10000) + 5000, 10000) AS value_minor
     FROM bucketed GROUP BY GROUPING SETS (${sets})`,
    [clock.toISOString()]
  );
  const total = emptyBackorderRow();
  const groups = new Map<number, BackorderRow>();
  for (const r of rows) {
    // GROUPING bits: group_key = 2, bucket = 1, set when the column is not grouped.
    const inTotal = r.grp >= 2;
    if (!inTotal && !options.groupBy) continue;
    if (r.lines !== null && n(r.lines) === 0) continue; // the empty () row of an empty population
    const k = n(r.group_key);
    if (!inTotal && !groups.has(k)) groups.set(k, emptyBackorderRow());
    const target = inTotal ? total : groups.get(k)!;
    const cell = { lines: n(r.lines), units: n(r.units), valueMinor: n(r.value_minor) };
    if (r.grp % 2 === 1) Object.assign(target, cell);
    else target.buckets[r.bucket!] = cell;
  }
  const data: BackorderAgingOutput = { asOfTime: clock.toISOString(), total };
  if (options.groupBy) data.groups = [...groups].sort(([a], [b]) => a - b).map(([k, row]) => ({ key: k, ...row }));
  return data;
}

// ---- stock at risk -----------------------------------------------------------

const DEMAND_DAYS = 28;
const DEFAULT_LEAD_DAYS = 7;
const ORDER = {
  daysOfCover: 'cover IS NULL, cover ASC, demand_rate DESC',
  demandRate: 'demand_rate DESC',
  shortfall: 'shortfall DESC, cover IS NULL, cover ASC'
} as const;

export interface StockAtRiskLedgerOptions {
  /** The instant looked from (default now). */
  asOfTime?: string;
  /** As the KPI: default true, 'daysOfCover', 200. */
  onlyAtRisk?: boolean;
  sort?: keyof typeof ORDER;
  limit?: number;
}

interface RiskSqlRow {
  product_id: number;
  warehouse_id: number;
  region_id: number;
  category: string;
  available: Num;
  inbound: Num;
  owed: Num;
  lead_time_days: number;
  lead_time_source: StockAtRiskRow['leadTimeSource'];
  today: string;
  horizon: string;
  shipped: Num;
  supply: Num;
  projected_stockout: string | null;
  at_risk: boolean;
  shortfall: Num;
  elsewhere: Num;
  best_id: number | null;
  best: Num;
}

/**
 * Per product x warehouse with a balance in an internal location, customer
 * shipments in the 28 days before asOfTime, an open inbound move or units owed
 * to confirmed orders: current availability, inbound due by the lead-time
 * horizon (the core's `incoming`), owed (backordered - reserved on the lines of
 * confirmed orders, now), supply = available + inbound - owed, trailing demand,
 * cover, stockout date, at-risk flag and stock elsewhere in the region.
 */
const RISK_SQL = `
WITH position AS (
  SELECT b.product_id, l.warehouse_id,
         coalesce(sum(b.on_hand - b.reserved) FILTER (WHERE l.kind = 'stock'), 0) AS available,
         coalesce(sum(b.on_hand) FILTER (WHERE l.kind = 'transit'), 0) AS in_transit
  FROM stock_balances b JOIN locations l ON l.id = b.location_id
  WHERE l.kind IN ${INTERNAL}
  GROUP BY b.product_id, l.warehouse_id),
demand AS (
  SELECT m.product_id, f.warehouse_id, sum(m.qty) AS shipped
  FROM stock_moves m
  JOIN locations f ON f.id = m.from_location_id
  JOIN locations t ON t.id = m.to_location_id
  WHERE m.state = 'done' AND t.kind = 'customer'
    AND m.done_at >= $1::timestamptz - interval '${DEMAND_DAYS * 24} hours' AND m.done_at < $1::timestamptz
  GROUP BY m.product_id, f.warehouse_id),
open_in AS (
  SELECT m.product_id, t.warehouse_id, m.scheduled_date, sum(m.qty) AS qty
  FROM stock_moves m
  JOIN locations t ON t.id = m.to_location_id AND t.kind IN ('stock', 'transit')
  JOIN locations f ON f.id = m.from_location_id
  WHERE m.state IN ('confirmed', 'reserved') AND (f.warehouse_id <> t.warehouse_id OR f.kind NOT IN ${INTERNAL})
  GROUP BY m.product_id, t.warehouse_id, m.scheduled_date),
owed AS (
  SELECT l.product_id, o.warehouse_id, sum(greatest(0, l.backordered_qty - l.reserved_qty)) AS owed
  FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
  WHERE o.state = 'confirmed'
  GROUP BY l.product_id, o.warehouse_id
  HAVING sum(greatest(0, l.backordered_qty - l.reserved_qty)) > 0),
keys AS (
  SELECT product_id, warehouse_id FROM position
  UNION SELECT product_id, warehouse_id FROM demand
  UNION SELECT product_id, warehouse_id FROM open_in
  UNION SELECT product_id, warehouse_id FROM owed),
based AS (
  SELECT k.product_id, k.warehouse_id, w.region_id, p.category,
         coalesce(pos.available, 0) AS available, coalesce(pos.in_transit, 0) AS in_transit, coalesce(d.shipped, 0) AS shipped,
         coalesce(ow.owed, 0) AS owed,
         coalesce(rr.lead_time_days, sp.lead_time_days, ${DEFAULT_LEAD_DAYS}) AS lead_time_days,
         CASE WHEN rr.lead_time_days IS NOT NULL THEN 'reorder_rule' WHEN sp.lead_time_days IS NOT NULL THEN 'supplier' ELSE 'default' END AS lead_time_source,
         ($1::timestamptz AT TIME ZONE w.time_zone)::date AS today
  FROM keys k
  JOIN warehouses w ON w.id = k.warehouse_id
  JOIN products p ON p.id = k.product_id
  LEFT JOIN position pos ON pos.product_id = k.product_id AND pos.warehouse_id = k.warehouse_id
  LEFT JOIN demand d ON d.product_id = k.product_id AND d.warehouse_id = k.warehouse_id
  LEFT JOIN owed ow ON ow.product_id = k.product_id AND ow.warehouse_id = k.warehouse_id
  LEFT JOIN reorder_rules rr ON rr.product_id = k.product_id AND rr.warehouse_id = k.warehouse_id
  LEFT JOIN (SELECT product_id, min(lead_time_days) AS lead_time_days FROM supplier_products GROUP BY product_id) sp ON sp.product_id = k.product_id),
due AS (
  SELECT b.product_id, b.warehouse_id, sum(o.qty) AS qty
  FROM based b JOIN open_in o ON o.product_id = b.product_id AND o.warehouse_id = b.warehouse_id
  WHERE o.scheduled_date IS NULL OR o.scheduled_date <= b.today + b.lead_time_days
  GROUP BY b.product_id, b.warehouse_id),
elsewhere AS (
  SELECT b.product_id, b.warehouse_id, sum(pos.available) AS available,
         (array_agg(pos.warehouse_id ORDER BY pos.available DESC, pos.warehouse_id))[1] AS best_id, max(pos.available) AS best
  FROM based b
  JOIN position pos ON pos.product_id = b.product_id AND pos.warehouse_id <> b.warehouse_id AND pos.available > 0
  JOIN warehouses ow ON ow.id = pos.warehouse_id AND ow.region_id = b.region_id
  GROUP BY b.product_id, b.warehouse_id),
rated AS (
  SELECT b.*, b.in_transit + coalesce(due.qty, 0) AS inbound, b.available + b.in_transit + coalesce(due.qty, 0) - b.owed AS supply,
         e.available AS elsewhere, e.best_id, e.best
  FROM based b
  LEFT JOIN due ON due.product_id = b.product_id AND due.warehouse_id = b.warehouse_id
  LEFT JOIN elsewhere e ON e.product_id = b.product_id AND e.warehouse_id = b.warehouse_id),
judged AS (
  SELECT *, shipped::float8 / ${DEMAND_DAYS} AS demand_rate,
         CASE WHEN shipped > 0 THEN (supply * ${DEMAND_DAYS})::float8 / shipped WHEN supply < 0 THEN 0 END AS cover,
         CASE WHEN shipped > 0 THEN supply * ${DEMAND_DAYS} < lead_time_days * shipped ELSE supply < 0 END AS at_risk,
         greatest(0, div(shipped * lead_time_days + ${DEMAND_DAYS - 1}, ${DEMAND_DAYS}) - supply) AS shortfall,
         CASE WHEN shipped > 0 THEN to_char(today + div(greatest(supply, 0) * ${DEMAND_DAYS}, shipped)::int, 'YYYY-MM-DD')
              WHEN supply < 0 THEN to_char(today, 'YYYY-MM-DD') END AS projected_stockout
  FROM rated)
SELECT product_id, warehouse_id, region_id, category, available, inbound, owed, lead_time_days, lead_time_source,
       to_char(today, 'YYYY-MM-DD') AS today, to_char(today + lead_time_days, 'YYYY-MM-DD') AS horizon,
       shipped, supply, demand_rate, cover, projected_stockout, at_risk, shortfall, elsewhere, best_id, best
FROM judged`;

export async function stockAtRiskFromLedger(pool: pg.Pool, options: StockAtRiskLedgerOptions = {}): Promise<StockAtRiskRow[]> {
  const asOf = new Date(options.asOfTime ?? Date.now()).toISOString();
  const onlyAtRisk = options.onlyAtRisk ?? true;
  const { rows } = await pool.query<RiskSqlRow>(
    `SELECT * FROM (${RISK_SQL}) r WHERE ${onlyAtRisk ? 'at_risk' : 'TRUE'}
     ORDER BY ${ORDER[options.sort ?? 'daysOfCover']}, product_id, warehouse_id LIMIT $2`,
    [asOf, options.limit ?? 200]
  );
  return rows.map((r) => {
    const shipped = n(r.shipped);
    const supply = n(r.supply);
    return {
      productId: r.product_id,
      warehouseId: r.warehouse_id,
      regionId: r.region_id,
      category: r.category,
      available: n(r.available),
      inbound: n(r.inbound),
      owed: n(r.owed),
      leadTimeDays: r.lead_time_days,
      leadTimeSource: r.lead_time_source,
      today: r.today,
      horizonDate: r.horizon,
      shipped28d: shipped,
      demandRate: round(shipped / DEMAND_DAYS, 4),
      daysOfCover: shipped > 0 ? round((supply * DEMAND_DAYS) / shipped, 2) : supply < 0 ? 0 : null,
      projectedStockout: r.projected_stockout,
      atRisk: r.at_risk,
      shortfall: n(r.shortfall),
      elsewhereAvailable: n(r.elsewhere),
      bestElsewhereWarehouseId: r.best_id,
      bestElsewhereAvailable: n(r.best)
    };
  });
}

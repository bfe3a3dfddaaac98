import { chTime, queryRows } from '../kpi/clickhouse-query';
import { subjects, type Detector, type DetectorVerdict } from './detector';

/**
 * Documents past their expected date: a transfer not received by its expected
 * arrival, a purchase order not fully received by its expected date (each after
 * the configured days of grace). Days late count from the expected date to the
 * UTC date of the run. Both tables are small; every run looks at all open ones.
 */
interface LateTransfer {
  id: number;
  state: string;
  from_code: string;
  to_code: string;
  to_warehouse_id: number;
  expected: string;
  days_late: number;
  units: number;
}

const TRANSFERS_SQL = `
SELECT t.id AS id, toString(t.state) AS state, f.code AS from_code, d.code AS to_code, t.to_warehouse_id AS to_warehouse_id,
       toString(t.expected_arrival) AS expected, dateDiff('day', t.expected_arrival, toDate({now:DateTime64(6, 'UTC')})) AS days_late,
       ifNull(q.units, 0) AS units
FROM transfers AS t FINAL
INNER JOIN (SELECT id, code FROM warehouses FINAL) AS f ON f.id = t.from_warehouse_id
INNER JOIN (SELECT id, code FROM warehouses FINAL) AS d ON d.id = t.to_warehouse_id
LEFT JOIN (SELECT transfer_id, sum(if(shipped_qty > 0, shipped_qty - received_qty - short_qty - damaged_qty, qty)) AS units
           FROM transfer_lines FINAL GROUP BY transfer_id) AS q ON q.transfer_id = t.id
WHERE t.state IN ('requested', 'approved', 'shipped') AND days_late > {grace:Float64}`;

interface LatePo {
  id: number;
  supplier: string;
  warehouse: string;
  warehouse_id: number;
  expected: string;
  days_late: number;
  open_units: number;
}

const POS_SQL = `
SELECT po.id AS id, s.name AS supplier, w.code AS warehouse, po.warehouse_id AS warehouse_id, toString(po.expected_date) AS expected,
       dateDiff('day', po.expected_date, toDate({now:DateTime64(6, 'UTC')})) AS days_late, ifNull(q.open_units, 0) AS open_units
FROM purchase_orders AS po FINAL
INNER JOIN (SELECT id, name FROM suppliers FINAL) AS s ON s.id = po.supplier_id
INNER JOIN (SELECT id, code FROM warehouses FINAL) AS w ON w.id = po.warehouse_id
LEFT JOIN (SELECT purchase_order_id, sum(greatest(ordered_qty - received_qty - rejected_qty, 0)) AS open_units
           FROM purchase_order_lines FINAL GROUP BY purchase_order_id) AS q ON q.purchase_order_id = po.id
WHERE po.state IN ('sent', 'partially_received') AND days_late > {grace:Float64}`;

const severity = (daysLate: number, grace: number) => (daysLate > grace + 7 ? ('critical' as const) : ('warning' as const));

export const transferLate: Detector = {
  name: 'transfer late',
  tables: ['transfers', 'transfer_lines'],
  async run({ ch, thresholds, now }): Promise<DetectorVerdict[]> {
    const rows = await queryRows<LateTransfer>(ch, TRANSFERS_SQL, { now: chTime(now), grace: thresholds.transferLateDays });
    const findings = rows.map((r) => ({
      subject: subjects.transfer(r.id),
      severity: severity(r.days_late, thresholds.transferLateDays),
      message: `Transfer ${r.id} from ${r.from_code} to ${r.to_code} is ${r.days_late} days late: expected ${r.expected}, still ${r.state} with ${r.units} units.`,
      details: { transferId: r.id, state: r.state, expectedArrival: r.expected, daysLate: r.days_late, units: r.units },
      warehouseId: r.to_warehouse_id
    }));
    return [{ kind: 'transfer_late', findings, evaluated: 'all' }];
  }
};

export const supplierLate: Detector = {
  name: 'supplier receipt late',
  tables: ['purchase_orders', 'purchase_order_lines', 'receipts'],
  async run({ ch, thresholds, now }): Promise<DetectorVerdict[]> {
    const rows = await queryRows<LatePo>(ch, POS_SQL, { now: chTime(now), grace: thresholds.supplierLateDays });
    const findings = rows.map((r) => ({
      subject: subjects.purchaseOrder(r.id),
      severity: severity(r.days_late, thresholds.supplierLateDays),
      message: `${r.supplier} is ${r.days_late} days late on purchase order ${r.id} for ${r.warehouse}: expected ${r.expected}, ${r.open_units} units still to come.`,
      details: { purchaseOrderId: r.id, expectedDate: r.expected, daysLate: r.days_late, openUnits: r.open_units },
      warehouseId: r.warehouse_id
    }));
    return [{ kind: 'supplier_late', findings, evaluated: 'all' }];
  }
};

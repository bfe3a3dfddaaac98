import { and, asc, eq, sql } from 'drizzle-orm';
import { MAX_DOCUMENT_LINES } from '../../../../schemas/api/document-lines';
import { reorderInput, type ReorderInput, type ReorderRunOutput, type ReorderSuggestion } from '../../../../schemas/api/purchasing';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Db } from './db';
import { tables } from './db';
import { warehouseDate } from './locations';
import { insertPurchaseOrder } from './purchasing';
import { forecastAt } from './stock';
import { transact } from './transaction';
import { insertTransferRequest } from './transfers';

const { reorderRules, products } = tables;

/** Advisory lock namespace of reorder runs (second key: the warehouse id). */
const REORDER_LOCK = 7301;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;
const roundUp = (qty: number, multiple: number) => Math.ceil(qty / multiple) * multiple;

/** Document-sized slices of a source's proposals, so a large run never exceeds a document's line limit. */
function documentLines(proposals: ReorderSuggestion[]): { productId: number; qty: number }[][] {
  const lines = proposals.map((s) => ({ productId: s.productId, qty: s.proposedQty }));
  const slices: (typeof lines)[] = [];
  for (let i = 0; i < lines.length; i += MAX_DOCUMENT_LINES) slices.push(lines.slice(i, i + MAX_DOCUMENT_LINES));
  return slices;
}

/**
 * The quantity to propose for a need: rounded up to the rule's multiple and, for
 * a supplier, to its pack multiple too (a multiple of both) and at least its MOQ.
 */
export function proposedQuantity(need: number, ruleMultiple: number, supplier?: { moq: number; packMultiple: number }): number {
  if (need <= 0) return 0;
  if (!supplier) return roundUp(need, ruleMultiple);
  const step = lcm(ruleMultiple, supplier.packMultiple);
  return Math.max(roundUp(need, step), roundUp(supplier.moq, step));
}

/**
 * What the reorder rules of a warehouse would order now, without writing. Per
 * rule, the forecast at today + the lead time (the rule's, or the source's when
 * longer; warehouse calendar) plus
 * what is already proposed but not yet scheduled (draft PO lines, requested
 * transfers into the warehouse) is compared with the minimum; below it, the
 * proposal brings the position back up to the maximum.
 */
export async function suggestions(db: Db, warehouseId: number): Promise<ReorderSuggestion[]> {
  await warehouseDate(db, warehouseId); // the warehouse must exist
  const rules = await db
    .select({
      rule: reorderRules,
      sku: products.sku,
      // Look at least as far ahead as the source delivers: a PO or transfer due after
      // the horizon would not count, and every run would propose it again.
      lead: sql<number>`greatest(${reorderRules.leadTimeDays},
        coalesce((SELECT sp.lead_time_days FROM supplier_products sp WHERE sp.supplier_id = ${reorderRules.sourceSupplierId} AND sp.product_id = ${reorderRules.productId}), 0),
        coalesce((SELECT tl.lead_time_days FROM transfer_lanes tl WHERE tl.from_warehouse_id = ${reorderRules.sourceWarehouseId} AND tl.to_warehouse_id = ${reorderRules.warehouseId}), 0))::int`
    })
    .from(reorderRules)
    .innerJoin(products, eq(products.id, reorderRules.productId))
    .where(and(eq(reorderRules.warehouseId, warehouseId), eq(products.active, true)))
    .orderBy(asc(reorderRules.productId));
  if (rules.length === 0) return [];

  const forecasts = new Map<number, { horizon: string; forecast: number }>();
  for (const lead of new Set(rules.map((r) => Number(r.lead)))) {
    const horizon = await warehouseDate(db, warehouseId, lead);
    const ids = rules.filter((r) => Number(r.lead) === lead).map((r) => r.rule.productId);
    for (const [productId, forecast] of await forecastAt(db, warehouseId, ids, horizon)) forecasts.set(productId, { horizon, forecast });
  }

  const covered = await db.execute<{ product_id: number; qty: number }>(sql`
    SELECT product_id, sum(qty)::int AS qty FROM (
      SELECT l.product_id, l.ordered_qty AS qty
      FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id
      WHERE o.warehouse_id = ${warehouseId} AND o.state = 'draft'
      UNION ALL
      SELECT l.product_id, l.qty
      FROM transfer_lines l JOIN transfers t ON t.id = l.transfer_id
      WHERE t.to_warehouse_id = ${warehouseId} AND t.state = 'requested') c
    GROUP BY product_id`);
  const coveredBy = new Map(covered.rows.map((r) => [Number(r.product_id), Number(r.qty)]));

  const terms = await db.execute<{ supplier_id: number; product_id: number; moq: number; pack_multiple: number }>(sql`
    SELECT sp.supplier_id, sp.product_id, sp.moq, sp.pack_multiple
    FROM supplier_products sp JOIN reorder_rules r ON r.source_supplier_id = sp.supplier_id AND r.product_id = sp.product_id
    WHERE r.warehouse_id = ${warehouseId}`);
  const termsOf = new Map(terms.rows.map((t) => [`${t.supplier_id}:${t.product_id}`, { moq: Number(t.moq), packMultiple: Number(t.pack_multiple) }]));
  const lanes = await db.execute<{ from_warehouse_id: number }>(sql`SELECT from_warehouse_id FROM transfer_lanes WHERE to_warehouse_id = ${warehouseId}`);
  const laneFrom = new Set(lanes.rows.map((l) => Number(l.from_warehouse_id)));

  const out: ReorderSuggestion[] = [];
  for (const { rule, sku } of rules) {
    const { horizon, forecast } = forecasts.get(rule.productId)!;
    const already = coveredBy.get(rule.productId) ?? 0;
    if (forecast + already >= rule.minQty) continue;
    const need = rule.maxQty - forecast - already;
    let blocked: string | null = null;
    let proposedQty: number;
    let source: ReorderSuggestion['source'];
    if (rule.sourceSupplierId !== null) {
      source = { kind: 'supplier', supplierId: rule.sourceSupplierId };
      const t = termsOf.get(`${rule.sourceSupplierId}:${rule.productId}`);
      if (!t) blocked = `supplier ${rule.sourceSupplierId} has no terms (price, lead time) for ${sku}`;
      proposedQty = proposedQuantity(need, rule.multiple, t);
    } else {
      source = { kind: 'warehouse', warehouseId: rule.sourceWarehouseId! };
      if (!laneFrom.has(rule.sourceWarehouseId!)) blocked = `there is no transfer lane from warehouse ${rule.sourceWarehouseId} to warehouse ${warehouseId}`;
      proposedQty = proposedQuantity(need, rule.multiple);
    }
    out.push({ ruleId: rule.id, productId: rule.productId, sku, horizon, forecast, covered: already, min: rule.minQty, max: rule.maxQty, proposedQty, source, blocked });
  }
  return out;
}

/**
 * Turns the suggestions of a warehouse into documents: one draft purchase order per
 * supplier and one requested transfer per source warehouse (several when the lines
 * exceed MAX_DOCUMENT_LINES). Runs for the same warehouse queue on an advisory
 * lock, and what a run proposed counts as covered in the next one, so running
 * twice orders nothing twice.
 */
export async function runReorder(db: CoreDb, actor: Actor, input: ReorderInput | number): Promise<ReorderRunOutput> {
  const { warehouseId } = reorderInput.parse(typeof input === 'number' ? { warehouseId: input } : input);
  assertWarehouseScope(actor, warehouseId);
  return transact(db, actor, 'purchasing.reorder', async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${REORDER_LOCK}::int, ${warehouseId}::int)`);
    const found = await suggestions(tx, warehouseId);
    const bySupplier = new Map<number, ReorderSuggestion[]>();
    const byWarehouse = new Map<number, ReorderSuggestion[]>();
    for (const s of found) {
      if (s.blocked) continue;
      const [groups, key] = s.source.kind === 'supplier' ? [bySupplier, s.source.supplierId] : [byWarehouse, s.source.warehouseId];
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    const purchaseOrderIds: number[] = [];
    for (const [supplierId, proposals] of [...bySupplier].sort((a, b) => a[0] - b[0])) {
      for (const lines of documentLines(proposals)) purchaseOrderIds.push(await insertPurchaseOrder(tx, actor, { supplierId, warehouseId, lines }, true));
    }
    const transferIds: number[] = [];
    for (const [fromWarehouseId, proposals] of [...byWarehouse].sort((a, b) => a[0] - b[0])) {
      for (const lines of documentLines(proposals)) transferIds.push(await insertTransferRequest(tx, actor, { fromWarehouseId, toWarehouseId: warehouseId, lines }));
    }
    return { suggestions: found, purchaseOrderIds, transferIds };
  });
}

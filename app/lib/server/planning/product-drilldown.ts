import type { ClickHouseClient } from '@clickhouse/client';
import { eq } from 'drizzle-orm';
import type { DemandHistory, InboundDelivery, ProductDrilldown, WarehousePosition } from '../../../../schemas/boards/planner';
import { readAsOf } from '../../../../warehouse/kpi/as-of';
import { productDemand, type ProductDemand } from '../../../../warehouse/boards/planner';
import { listReorderRules, listSupplierProducts, listSuppliers, listTransferLanes, listWarehouses } from '../core/catalog';
import type { CoreDb } from '../core/db';
import { tables } from '../core/db';
import { notFound } from '../core/errors';
import { readBusinessNow } from '../core/business-clock';
import { suggestions } from '../core/reorder';
import { stockLevels } from '../core/stock';
import { coreAsOf } from '../live/boards/core-as-of';
import { addDays } from './dates';
import { coverOf, leadTimeOf, spareOf } from './position';
import { inboundSchedule, owedUnits, pendingProposals, requestedOut, warehouseToday, type InboundRow } from './product-supply';
import { projectStock } from './projection';
import { suggestAction, type SupplierTerms } from './suggested-action';

export const HISTORY_DAYS = 90;

const DOCUMENT_TYPES = new Set(['purchase_order', 'transfer', 'return']);
const documentTypeOf = (t: string) => (DOCUMENT_TYPES.has(t) ? t : 'other') as InboundDelivery['documentType'];
const isDue = (row: InboundRow, horizon: string) => row.date === null || row.date <= horizon;

/**
 * One product across the network for the planner: stock per warehouse (core),
 * cover and risk per warehouse, the projection and inbound of the focused
 * warehouse, daily demand (ClickHouse) and the suggested action.
 * `focusWarehouseId` defaults to the warehouse most at risk.
 */
export async function productDrilldown(db: CoreDb, ch: ClickHouseClient, productId: number, focusWarehouseId?: number): Promise<ProductDrilldown> {
  const now = await readBusinessNow(db);
  const [product] = await db.select().from(tables.products).where(eq(tables.products.id, productId));
  if (!product) throw notFound('product', productId);
  const [coreMark, warehouseMark] = await Promise.all([coreAsOf(db), readAsOf(ch)]);
  const [warehouses, levels, rules, terms, suppliers, lanes, today, inbound, owed, proposals, outRequested, demand] = await Promise.all([
    listWarehouses(db),
    stockLevels(db, { productIds: [productId] }),
    listReorderRules(db, { productId }),
    listSupplierProducts(db, { productId }),
    listSuppliers(db),
    listTransferLanes(db),
    warehouseToday(db),
    inboundSchedule(db, productId),
    owedUnits(db, productId),
    pendingProposals(db, productId),
    requestedOut(db, productId),
    productDemand(ch, productId, HISTORY_DAYS, now)
  ]);
  if (focusWarehouseId !== undefined && !warehouses.some((w) => w.id === focusWarehouseId)) throw notFound('warehouse', focusWarehouseId);

  const supplierLeads = terms.map((t) => t.leadTimeDays);
  const positions: WarehousePosition[] = warehouses.map((w) => {
    const level = levels.find((l) => l.warehouseId === w.id);
    const rule = rules.find((r) => r.warehouseId === w.id);
    const lead = leadTimeOf(rule?.leadTimeDays ?? null, supplierLeads);
    const day = today.get(w.id)!;
    const horizon = addDays(day, lead.leadTimeDays);
    const inboundByHorizon = inbound.filter((r) => r.warehouseId === w.id && isDue(r, horizon)).reduce((s, r) => s + r.qty, 0);
    const available = level?.available ?? 0;
    const owedHere = owed.get(w.id) ?? 0;
    const cover = coverOf({ today: day, leadTimeDays: lead.leadTimeDays, available, inboundByHorizon, owed: owedHere, shipped28d: demand.shipped28d.get(w.id) ?? 0 });
    return {
      warehouseId: w.id,
      code: w.code,
      name: w.name,
      regionId: w.regionId,
      onHand: level?.onHand ?? 0,
      reserved: level?.reserved ?? 0,
      available,
      qualityHold: level?.qualityHold ?? 0,
      inTransit: level?.inTransit ?? 0,
      incoming: level?.incoming ?? 0,
      owed: owedHere,
      demandRate: Math.round(cover.demandRate * 10_000) / 10_000,
      ...lead,
      today: day,
      horizonDate: cover.horizonDate,
      inboundByHorizon,
      supply: cover.supply,
      daysOfCover: cover.daysOfCover,
      atRisk: cover.atRisk,
      hasReorderRule: rule !== undefined
    };
  });

  const focus = positions.find((p) => p.warehouseId === (focusWarehouseId ?? defaultFocus(positions)?.warehouseId)) ?? null;
  const base = {
    product: { id: product.id, sku: product.sku, name: product.name, category: product.category, abcClass: product.abcClass, baseUnit: product.baseUnit },
    positions,
    demandHistory: historyOf(demand, warehouses, focus?.today ?? now.toISOString().slice(0, 10), focus?.warehouseId ?? null),
    asOf: { core: coreMark, warehouse: warehouseMark },
    computedAt: new Date().toISOString() // when it was read: freshness is wall time
  };
  if (!focus) return { ...base, focusWarehouseId: null, inbound: [], projection: null, proposals: [], suggestion: { kind: 'none', reason: 'This product is not stocked anywhere yet.' } };

  const focusInbound = inbound.filter((r) => r.warehouseId === focus.warehouseId);
  const focusProposals = proposals.filter((p) => p.warehouseId === focus.warehouseId).map(({ kind, documentId, qty }) => ({ kind, documentId, qty }));
  const rule = rules.find((r) => r.warehouseId === focus.warehouseId) ?? null;
  const coreProposal = rule ? ((await suggestions(db, focus.warehouseId)).find((s) => s.productId === productId) ?? null) : null;
  const supplierTerms: SupplierTerms[] = terms.flatMap((t) => {
    const s = suppliers.find((x) => x.id === t.supplierId);
    return s ? [{ supplierId: s.id, code: s.code, name: s.name, leadTimeDays: t.leadTimeDays, moq: t.moq, packMultiple: t.packMultiple, costMinor: t.costMinor }] : [];
  });
  const donors = positions.flatMap((p) => {
    const lane = lanes.find((l) => l.fromWarehouseId === p.warehouseId && l.toWarehouseId === focus.warehouseId);
    if (p.warehouseId === focus.warehouseId || p.regionId !== focus.regionId || !lane) return [];
    const level = levels.find((l) => l.warehouseId === p.warehouseId);
    const spare = spareOf({
      onHand: level?.onHand ?? 0,
      outgoing: level?.outgoing ?? 0,
      requestedOut: outRequested.get(p.warehouseId) ?? 0,
      demandRate: p.demandRate,
      leadTimeDays: p.leadTimeDays,
      ruleMinQty: rules.find((r) => r.warehouseId === p.warehouseId)?.minQty ?? null
    });
    return [{ warehouseId: p.warehouseId, code: p.code, spare, laneLeadTimeDays: lane.leadTimeDays }];
  });

  return {
    ...base,
    focusWarehouseId: focus.warehouseId,
    inbound: focusInbound.map((r) => ({
      date: r.date,
      documentType: documentTypeOf(r.documentType),
      documentId: r.documentId,
      qty: r.qty,
      overdue: r.date !== null && r.date < focus.today
    })),
    projection: projectStock({
      today: focus.today,
      horizonDays: Math.max(1, focus.leadTimeDays),
      available: focus.available,
      owed: focus.owed,
      inbound: focusInbound,
      demandRate: focus.demandRate
    }),
    proposals: focusProposals,
    suggestion: suggestAction({
      productId,
      warehouseId: focus.warehouseId,
      rule: rule ? { multiple: rule.multiple, proposal: coreProposal } : null,
      position: focus,
      pending: focusProposals.reduce((s, p) => s + p.qty, 0),
      suppliers: supplierTerms,
      donors
    })
  };
}

/** The warehouse most at risk (shortest cover), else one with a reorder rule, else the busiest, else the one holding most. */
function defaultFocus(positions: WarehousePosition[]): WarehousePosition | undefined {
  const cover = (p: WarehousePosition) => p.daysOfCover ?? Infinity;
  const atRisk = positions.filter((p) => p.atRisk).sort((a, b) => cover(a) - cover(b));
  return (
    atRisk[0] ??
    positions.find((p) => p.hasReorderRule) ??
    [...positions].sort((a, b) => b.demandRate - a.demandRate || b.available - a.available).find((p) => p.demandRate > 0 || p.onHand > 0) ??
    positions[0]
  );
}

/** Daily units per warehouse over the last HISTORY_DAYS days up to `today`, zeros filled; the focused warehouse first. */
function historyOf(demand: ProductDemand, warehouses: { id: number; code: string }[], today: string, focusId: number | null): DemandHistory {
  const dates = Array.from({ length: HISTORY_DAYS }, (_, i) => addDays(today, i - HISTORY_DAYS + 1));
  const index = new Map(dates.map((d, i) => [d, i]));
  const shipping = new Set(demand.days.map((d) => d.warehouseId));
  const series = warehouses
    .filter((w) => shipping.has(w.id) || w.id === focusId)
    .sort((a, b) => Number(b.id === focusId) - Number(a.id === focusId) || a.code.localeCompare(b.code))
    .map((w) => {
      const units = new Array<number>(dates.length).fill(0);
      for (const d of demand.days) {
        const i = index.get(d.day);
        if (d.warehouseId === w.id && i !== undefined) units[i]! += d.units;
      }
      return { warehouseId: w.id, code: w.code, units };
    });
  return { dates, series };
}

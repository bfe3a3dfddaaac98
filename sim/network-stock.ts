import type { Random } from './random';
import { round } from './network-catalog';
import { affinityFactor } from './network-parties';
import type {
  AbcClass,
  CustomerDef,
  DemandRateDef,
  NetworkDemandModel,
  OpeningStockDef,
  ProductDef,
  ReorderRuleDef,
  SupplierDef,
  SupplierProductDef,
  TransferLaneDef,
  WarehouseDef
} from './network-types';

/** Service level (as a normal quantile) and order cycle in days, by ABC class. */
const SERVICE_Z: Record<AbcClass, number> = { A: 1.65, B: 1.28, C: 1.04 };
const BRANCH_CYCLE_DAYS: Record<AbcClass, number> = { A: 3, B: 7, C: 14 };
const DC_CYCLE_DAYS: Record<AbcClass, number> = { A: 7, B: 14, C: 28 };
/** Day-to-day swing beyond order-arrival noise (weekdays, seasons): a coefficient of variation. */
const SEASONAL_CV = 0.25;
/** Share of product x warehouse pairs that open below their minimum (the first reorder run has work). */
const BELOW_MIN_SHARE = 0.03;

/**
 * Customer demand per product x warehouse, units per day: the lines of the
 * customers a warehouse serves, each line's product drawn by line share and the
 * customer's category affinity (the demand model), times the mean line quantity.
 */
export function demandRates(model: NetworkDemandModel, warehouses: WarehouseDef[], customers: CustomerDef[], products: ProductDef[]): DemandRateDef[] {
  const categories = [...new Set(products.map((p) => p.category))];
  const categoryShare = new Map<string, number>();
  for (const p of products) categoryShare.set(p.category, (categoryShare.get(p.category) ?? 0) + p.lineShare);
  // Per warehouse and category: Σ over its customers of orders/day × boost / normaliser.
  const factor = new Map<string, number>();
  for (const c of customers) {
    const norm = categories.reduce((sum, cat) => sum + categoryShare.get(cat)! * affinityFactor(c, cat, model), 0);
    for (const cat of categories) {
      const key = `${c.warehouseCode}|${cat}`;
      factor.set(key, (factor.get(key) ?? 0) + (c.ordersPerDay * affinityFactor(c, cat, model)) / norm);
    }
  }
  return products.flatMap((p) =>
    warehouses.map((w) => ({
      sku: p.sku,
      warehouseCode: w.code,
      dailyUnits: round(model.linesPerOrder * p.lineShare * p.meanLineQty * (factor.get(`${w.code}|${p.category}`) ?? 0), 4)
    }))
  );
}

/** Variance of daily units: compound Poisson lines (quantity cv about 1) plus a seasonal swing. */
const dailyVariance = (units: number, meanLineQty: number) => 2 * units * meanLineQty + (SEASONAL_CV * units) ** 2;

function sized(z: number, dailyUnits: number, variance: number, leadDays: number, leadSpreadDays: number, cycleDays: number) {
  const safety = z * Math.sqrt(leadDays * variance + dailyUnits ** 2 * leadSpreadDays ** 2);
  const minQty = Math.ceil(safety + dailyUnits * leadDays);
  return { safetyStock: Math.ceil(safety), minQty, maxQty: minQty + Math.max(1, Math.ceil(dailyUnits * cycleDays)) };
}

export interface StockPlan {
  reorderRules: ReorderRuleDef[];
  openingStock: OpeningStockDef[];
}

/**
 * Reorder rules for every product x warehouse: min = safety stock + demand over
 * the lead time, max = min + demand over the order cycle. Branches source from
 * the DC over their lane (multiple: the product's pack); the DC from the
 * preferred supplier, sized for its own customers plus the branches it feeds,
 * with the supplier's lead-time spread in the safety stock. Opening stock sits
 * near max for A items, between min and max for B, nearer min for C; only a
 * few pairs (3 %) open below min.
 */
export function planStock(
  rng: Random,
  warehouses: WarehouseDef[],
  lanes: TransferLaneDef[],
  products: ProductDef[],
  suppliers: SupplierDef[],
  supplierProducts: SupplierProductDef[],
  demand: DemandRateDef[]
): StockPlan {
  const dc = warehouses.find((w) => w.kind === 'central_dc')!;
  const laneDays = new Map(lanes.filter((l) => l.fromCode === dc.code).map((l) => [l.toCode, l.leadTimeDays]));
  const supplier = new Map(suppliers.map((s) => [s.code, s]));
  const preferred = new Map(supplierProducts.filter((sp) => sp.preferred).map((sp) => [sp.sku, sp]));
  // demandRates lists product-major, warehouses in order: index arithmetic, no string keys.
  const rate = (pi: number, wi: number) => {
    const d = demand[pi * warehouses.length + wi]!;
    if (d.sku !== products[pi]!.sku || d.warehouseCode !== warehouses[wi]!.code) throw new Error('demand rates are not in product x warehouse order');
    return d.dailyUnits;
  };

  const reorderRules: ReorderRuleDef[] = [];
  const openingStock: OpeningStockDef[] = [];
  products.forEach((p, pi) => {
    const z = SERVICE_Z[p.abcClass];
    let networkUnits = 0;
    let networkVariance = 0;
    warehouses.forEach((_, wi) => {
      networkUnits += rate(pi, wi);
      networkVariance += dailyVariance(rate(pi, wi), p.meanLineQty);
    });
    warehouses.forEach((w, wi) => {
      let rule: ReorderRuleDef;
      if (w === dc) {
        const sp = preferred.get(p.sku)!;
        const spread = supplier.get(sp.supplierCode)!.leadTime.spreadDays;
        const s = sized(z, networkUnits, networkVariance, sp.leadTimeDays, spread, DC_CYCLE_DAYS[p.abcClass]);
        rule = { sku: p.sku, warehouseCode: w.code, ...s, multiple: 1, leadTimeDays: sp.leadTimeDays, sourceSupplierCode: sp.supplierCode, sourceWarehouseCode: null, sizedForDailyUnits: round(networkUnits, 4) };
      } else {
        const units = rate(pi, wi);
        const lead = laneDays.get(w.code)!;
        const s = sized(z, units, dailyVariance(units, p.meanLineQty), lead, 0, BRANCH_CYCLE_DAYS[p.abcClass]);
        const multiple = p.packSizes[0]?.qty ?? 1;
        rule = { sku: p.sku, warehouseCode: w.code, ...s, multiple, leadTimeDays: lead, sourceSupplierCode: null, sourceWarehouseCode: dc.code, sizedForDailyUnits: units };
      }
      reorderRules.push(rule);
      const qty = Math.round(openingQty(rng, p.abcClass, rule.minQty, rule.maxQty));
      if (qty > 0) openingStock.push({ sku: p.sku, warehouseCode: w.code, qty });
    });
  });
  return { reorderRules, openingStock };
}

function openingQty(rng: Random, abc: AbcClass, min: number, max: number): number {
  if (min > 0 && rng.chance(BELOW_MIN_SHARE)) return Math.min(min - 1, rng.between(0, min));
  if (abc === 'A') return rng.between(Math.max(min, 0.8 * max), max);
  if (abc === 'B') return rng.between(min, max);
  return min + (max - min) * rng.float() ** 2; // C: leaning towards min
}

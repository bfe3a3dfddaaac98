import type { Random } from './random';
import { round } from './network-catalog';
import type {
  CustomerDef,
  CustomerPriceDef,
  CustomerTier,
  NetworkDemandModel,
  ProductDef,
  RegionDef,
  ResolvedSpec,
  SupplierDef,
  SupplierProductDef,
  WarehouseDef
} from './network-types';
import { COMPANY_FIRST, CUSTOMER_TRADES, SUPPLIER_SUFFIXES } from './network-templates';

const TIERS: CustomerTier[] = ['key', 'standard', 'small'];
const TIER_MIX = [0.1, 0.6, 0.3];
/** Relative order frequency by tier. */
const TIER_ORDERS: Record<CustomerTier, number> = { key: 5, standard: 1.5, small: 0.5 };
const TERMS: Record<CustomerTier, number[]> = { key: [45, 60], standard: [30, 30, 45], small: [14, 30] };
/** About 1.5 % of customers are on credit hold. */
const HOLD_FRACTION = 0.015;
/** A contract covers at most this share of the catalogue (small test networks). */
const MAX_CONTRACT_SHARE = 0.4;

const code = (prefix: string, i: number, count: number) => `${prefix}${String(i + 1).padStart(Math.max(3, String(count).length), '0')}`;

/**
 * Suppliers, each covering a primary category (dealt round the categories) and
 * up to two more; actual lead times lognormal around a week, with a spread;
 * most are reliable, about one in ten is not.
 */
export function generateSuppliers(rng: Random, spec: ResolvedSpec, categories: string[]): SupplierDef[] {
  return Array.from({ length: spec.suppliers }, (_, i) => {
    const primary = categories[i % categories.length]!;
    const extras = rng.sample(
      categories.filter((c) => c !== primary),
      rng.int(0, 2)
    );
    const meanDays = round(Math.min(45, Math.max(2, rng.lognormal(7, 0.5))), 1);
    const unreliable = rng.chance(0.1);
    return {
      code: code('SUP-', i, spec.suppliers),
      name: `${rng.pick(COMPANY_FIRST)} ${rng.pick(SUPPLIER_SUFFIXES)}`,
      categories: [primary, ...extras],
      leadTime: { meanDays, spreadDays: round(meanDays * rng.between(0.1, 0.4), 1) },
      onTimeProbability: round(unreliable ? rng.between(0.5, 0.75) : rng.between(0.8, 0.98), 3),
      fillProbability: round(rng.between(0.88, 0.995), 3)
    };
  });
}

/**
 * 1-3 suppliers per product, from those covering its category (others when too
 * few do); the first drawn is the preferred one. Quoted lead time near the
 * supplier's mean; pack multiple the product's pack (sometimes its case); MOQ a
 * few packs.
 */
export function generateSupplierProducts(rng: Random, products: ProductDef[], suppliers: SupplierDef[]): SupplierProductDef[] {
  const byCategory = new Map<string, SupplierDef[]>();
  for (const s of suppliers) for (const c of s.categories) byCategory.set(c, [...(byCategory.get(c) ?? []), s]);
  const out: SupplierProductDef[] = [];
  for (const p of products) {
    const want = Math.min(suppliers.length, rng.weightedPick([1, 2, 3], [0.5, 0.35, 0.15]));
    const covering = byCategory.get(p.category) ?? [];
    const chosen = rng.sample(covering, want);
    if (chosen.length < want) chosen.push(...rng.sample(suppliers.filter((s) => !chosen.includes(s)), want - chosen.length));
    chosen.forEach((s, n) => {
      const inner = p.packSizes[0]?.qty;
      const outer = p.packSizes[1]?.qty;
      const packMultiple = inner === undefined ? 1 : outer !== undefined && rng.chance(0.3) ? outer : inner;
      out.push({
        supplierCode: s.code,
        sku: p.sku,
        costMinor: Math.max(0, Math.round(p.costMinor * rng.between(0.92, 1.08))),
        leadTimeDays: Math.max(1, Math.round(s.leadTime.meanDays * rng.between(0.9, 1.15))),
        moq: packMultiple === 1 ? rng.pick([1, 2, 5, 10]) : packMultiple * rng.int(1, 4),
        packMultiple,
        preferred: n === 0
      });
    });
  }
  return out;
}

/** Boost of customer c's affinity for a category (the demand model's rule). */
export const affinityFactor = (c: CustomerDef, category: string, model: NetworkDemandModel) => (c.categoryAffinity.includes(category) ? model.affinityBoost : 1);

/**
 * Customers over the regions (regions weighted unevenly), each served by a
 * warehouse of its region (the DC where the region has none); order frequency
 * by tier, summing to the network's orders per day; a few on credit hold; credit
 * limits sized from what the customer buys over its payment terms, with headroom.
 */
export function generateCustomers(
  rng: Random,
  spec: ResolvedSpec,
  model: NetworkDemandModel,
  regions: RegionDef[],
  warehouses: WarehouseDef[],
  products: ProductDef[]
): CustomerDef[] {
  const categories = [...new Set(products.map((p) => p.category))].sort();
  const regionWeights = regions.map(() => rng.between(0.6, 1.4));
  const dc = warehouses.find((w) => w.kind === 'central_dc')!;
  const draft = Array.from({ length: spec.customers }, (_, i): CustomerDef => {
    const tier = rng.weightedPick(TIERS, TIER_MIX);
    const region = rng.weightedPick(regions, regionWeights);
    const local = warehouses.filter((w) => w.regionCode === region.code);
    return {
      code: code('C-', i, spec.customers),
      name: `${rng.pick(COMPANY_FIRST)} ${rng.pick(CUSTOMER_TRADES)}`,
      regionCode: region.code,
      tier,
      creditLimitMinor: 0,
      paymentTermsDays: rng.pick(TERMS[tier]),
      onHold: false,
      warehouseCode: local.length > 0 ? rng.pick(local).code : dc.code,
      ordersPerDay: TIER_ORDERS[tier] * rng.lognormal(1, 0.5),
      categoryAffinity: rng.sample(categories, rng.int(1, Math.min(3, categories.length))).sort()
    };
  });
  const totalOrders = draft.reduce((a, c) => a + c.ordersPerDay, 0);
  for (const c of draft) c.ordersPerDay = round((c.ordersPerDay / totalOrders) * spec.ordersPerDay, 4);

  // Value of a line per category: Σ share × qty × price, and the category's share of lines.
  const lineValue = new Map<string, number>();
  const lineShare = new Map<string, number>();
  for (const p of products) {
    lineValue.set(p.category, (lineValue.get(p.category) ?? 0) + p.lineShare * p.meanLineQty * p.priceMinor);
    lineShare.set(p.category, (lineShare.get(p.category) ?? 0) + p.lineShare);
  }
  for (const c of draft) {
    let value = 0;
    let share = 0;
    for (const cat of categories) {
      value += lineValue.get(cat)! * affinityFactor(c, cat, model);
      share += lineShare.get(cat)! * affinityFactor(c, cat, model);
    }
    const orderValue = (model.linesPerOrder * value) / share;
    const exposure = c.ordersPerDay * orderValue * (c.paymentTermsDays + 14);
    c.creditLimitMinor = Math.max(50_000, Math.round((exposure * rng.between(1.5, 3)) / 100_000) * 100_000);
  }
  const holdCount = spec.customers < 2 ? 0 : Math.max(1, Math.round(spec.customers * HOLD_FRACTION));
  for (const c of rng.sample(draft, holdCount)) c.onHold = true;
  return draft;
}

/**
 * Contract prices: every key customer has 20-60 (mostly on what it buys most),
 * a quarter of standard customers 3-15; 3-15 % under list, never under cost.
 */
export function generateCustomerPrices(rng: Random, model: NetworkDemandModel, customers: CustomerDef[], products: ProductDef[]): CustomerPriceDef[] {
  const out: CustomerPriceDef[] = [];
  for (const c of customers) {
    const count = c.tier === 'key' ? rng.int(20, 60) : c.tier === 'standard' && rng.chance(0.25) ? rng.int(3, 15) : 0;
    if (count === 0) continue;
    const weights = products.map((p) => p.lineShare * affinityFactor(c, p.category, model));
    for (const i of rng.weightedSample(weights, Math.min(count, Math.ceil(products.length * MAX_CONTRACT_SHARE))).sort((a, b) => a - b)) {
      const p = products[i]!;
      out.push({ customerCode: c.code, sku: p.sku, priceMinor: Math.max(p.costMinor, Math.round(p.priceMinor * (1 - rng.between(0.03, 0.15)))) });
    }
  }
  return out;
}

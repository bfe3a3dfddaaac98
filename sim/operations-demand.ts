import type { CustomerDef, Network, ProductDef, WarehouseDef } from './network-types';
import type { OrderLineSpec, OrderOperation, Scenario } from './operations-types';
import { type Random, weightedSampler } from './random';

/**
 * The network's demand model as tables to draw from. Lines are drawn in two
 * steps, category then product: P(product) ∝ lineShare × affinity boost of its
 * category, exactly the model the network was sized with, without a table per
 * customer over every product.
 */
export interface DemandTables {
  /** Customers grouped by serving warehouse and region: one Poisson stream per group. */
  groups: CustomerGroup[];
  categories: string[];
  /** Per category: its products and a sampler by line share. */
  byCategory: { products: ProductDef[]; sample: (rng: Random) => number }[];
  /** Per category: Σ line share of its products. */
  categoryShare: number[];
  /** Per customer: relative weight of each category (share × boost). */
  affinity: Map<string, number[]>;
  /** Average orders per day per warehouse. */
  warehouseOrdersPerDay: Map<string, number>;
  /** Products for cycle counts: A items are counted more often. */
  countSample: (rng: Random) => number;
}

export interface CustomerGroup {
  warehouse: WarehouseDef;
  regionCode: string;
  customers: CustomerDef[];
  ordersPerDay: number;
  sampleCustomer: (rng: Random) => number;
}

const COUNT_WEIGHT = { A: 4, B: 2, C: 1 } as const;

const cache = new WeakMap<Network, DemandTables>();

export function demandTables(network: Network): DemandTables {
  const hit = cache.get(network);
  if (hit) return hit;
  const categories = [...network.categories];
  const index = new Map(categories.map((c, i) => [c, i]));
  const members = categories.map(() => [] as ProductDef[]);
  for (const p of network.products) members[index.get(p.category)!]!.push(p);
  const categoryShare = members.map((ps) => ps.reduce((a, p) => a + p.lineShare, 0));
  const byCategory = members.map((products) => ({
    products,
    sample: products.length ? weightedSampler(products.map((p) => p.lineShare)) : () => -1
  }));
  const affinity = new Map(
    network.customers.map((c) => [c.code, categories.map((cat, i) => categoryShare[i]! * (c.categoryAffinity.includes(cat) ? network.demandModel.affinityBoost : 1))])
  );
  const warehouses = new Map(network.warehouses.map((w) => [w.code, w]));
  const keyed = new Map<string, CustomerDef[]>();
  for (const c of network.customers) {
    const key = `${c.warehouseCode}|${c.regionCode}`;
    keyed.set(key, [...(keyed.get(key) ?? []), c]);
  }
  // Sorted keys: the groups (and their random streams) do not depend on customer order.
  const groups = [...keyed.keys()].sort().map((key): CustomerGroup => {
    const customers = keyed.get(key)!;
    const [warehouseCode, regionCode] = key.split('|') as [string, string];
    return {
      warehouse: warehouses.get(warehouseCode)!,
      regionCode,
      customers,
      ordersPerDay: customers.reduce((a, c) => a + c.ordersPerDay, 0),
      sampleCustomer: weightedSampler(customers.map((c) => c.ordersPerDay))
    };
  });
  const warehouseOrdersPerDay = new Map(network.warehouses.map((w) => [w.code, 0]));
  for (const g of groups) warehouseOrdersPerDay.set(g.warehouse.code, warehouseOrdersPerDay.get(g.warehouse.code)! + g.ordersPerDay);
  const tables: DemandTables = {
    groups,
    categories,
    byCategory,
    categoryShare,
    affinity,
    warehouseOrdersPerDay,
    countSample: weightedSampler(network.products.map((p) => COUNT_WEIGHT[p.abcClass]))
  };
  cache.set(network, tables);
  return tables;
}

/** Orders over 10 % need an approver (APPROVAL_DISCOUNT_BP); a few are, most discounts stay under it. */
const DISCOUNT_CHANCE = 0.04;
const BIG_DISCOUNT_CHANCE = 0.01;
const PACK_CHANCE = 0.3;
const MAX_LINES = 25;
/** Quantity spread (log space): a coefficient of variation near 1, as the reorder rules assume. */
const QTY_SIGMA = 0.8;
const QTY_MEDIAN_FACTOR = Math.exp(-(QTY_SIGMA * QTY_SIGMA) / 2);

/** One order of a customer of `group` at `at`: lines by the customer's mix, quantities around each product's mean. */
export function drawOrder(rng: Random, network: Network, tables: DemandTables, group: CustomerGroup, at: number, scenario: Scenario): OrderOperation {
  const customer = group.customers[group.sampleCustomer(rng)]!;
  const weights = tables.affinity.get(customer.code)!.map((w, i) => w * (scenario.categoryWeight?.(tables.categories[i]!, at) ?? 1));
  const sampleCategory = weightedSampler(weights);
  const count = Math.min(MAX_LINES, network.products.length, 1 + rng.poisson(network.demandModel.linesPerOrder - 1));
  const qtyBySku = new Map<string, { product: ProductDef; qty: number }>();
  for (let i = 0; i < count; i++) {
    const cat = tables.byCategory[sampleCategory(rng)]!;
    const product = cat.products[cat.sample(rng)]!;
    const qty = Math.max(1, Math.round(rng.lognormal(product.meanLineQty * QTY_MEDIAN_FACTOR, QTY_SIGMA)));
    const seen = qtyBySku.get(product.sku);
    // A product drawn twice is one line of the sum (as a person would enter it).
    if (seen) seen.qty += qty;
    else qtyBySku.set(product.sku, { product, qty });
  }
  const lines: OrderLineSpec[] = [...qtyBySku.values()].map(({ product, qty }) => {
    const pack = product.packSizes[0];
    if (pack && qty >= pack.qty && rng.chance(PACK_CHANCE)) return { sku: product.sku, qty: Math.max(1, Math.round(qty / pack.qty)), pack: pack.name };
    return { sku: product.sku, qty };
  });
  const roll = rng.float();
  const discountBp = roll < BIG_DISCOUNT_CHANCE ? rng.int(11, 20) * 100 : roll < BIG_DISCOUNT_CHANCE + DISCOUNT_CHANCE ? rng.int(2, 8) * 100 : 0;
  return {
    kind: 'order',
    at,
    warehouse: group.warehouse.code,
    customer: customer.code,
    priority: customer.tier === 'key' ? 5 : 0,
    discountBp,
    lines
  };
}

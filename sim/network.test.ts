import { describe, expect, it } from 'vitest';
import { generateNetwork, networkHash, type Network, type NetworkSpec } from './network';

const SMALL: NetworkSpec = { seed: 7, products: 50, customers: 20, suppliers: 5, branches: 2 };
/**
 * The fingerprint of SMALL. A change to the generator changes every seeded
 * network (and so every simulation built on one): update this on purpose only.
 */
const SMALL_HASH = '42bd1679e7776611609d6648fbeae3506c41a70d6d5b87c498bc8af1877b98a1';

const small = generateNetwork(SMALL);
const full = generateNetwork({ seed: 2024 });

const unique = (values: string[]) => new Set(values).size === values.length;

describe('generateNetwork', () => {
  it('gives the same network for the same seed, in any process', () => {
    const again = generateNetwork({ ...SMALL });
    expect(again).toEqual(small);
    expect(networkHash(again)).toBe(networkHash(small));
    expect(networkHash(small)).toBe(SMALL_HASH);
    expect(JSON.parse(JSON.stringify(small))).toEqual(small); // plain, serialisable data
  });

  it('gives a different network for a different seed', () => {
    const other = generateNetwork({ ...SMALL, seed: 8 });
    expect(networkHash(other)).not.toBe(networkHash(small));
    expect(other.products.map((p) => p.lineShare)).not.toEqual(small.products.map((p) => p.lineShare));
    expect(other.customers.map((c) => c.warehouseCode)).not.toEqual(small.customers.map((c) => c.warehouseCode));
  });

  it('honours the sizes asked for, and the defaults', () => {
    for (const [net, size] of [
      [small, { regions: 4, warehouses: 3, products: 50, customers: 20, suppliers: 5 }],
      [full, { regions: 4, warehouses: 6, products: 5000, customers: 800, suppliers: 60 }]
    ] as const) {
      expect(net.regions).toHaveLength(size.regions);
      expect(net.warehouses).toHaveLength(size.warehouses);
      expect(net.warehouses.filter((w) => w.kind === 'central_dc')).toHaveLength(1);
      expect(net.products).toHaveLength(size.products);
      expect(net.customers).toHaveLength(size.customers);
      expect(net.suppliers).toHaveLength(size.suppliers);
      expect(net.reorderRules).toHaveLength(size.products * size.warehouses);
      expect(net.demand).toHaveLength(size.products * size.warehouses);
    }
    // Branches are spread over the regions: with 5 branches and 4 regions every region has one.
    expect(new Set(full.warehouses.filter((w) => w.kind === 'branch').map((w) => w.regionCode)).size).toBe(4);
    for (const w of full.warehouses) expect(() => new Intl.DateTimeFormat('en', { timeZone: w.timeZone })).not.toThrow();
    expect(generateNetwork({ seed: 1, regions: 2, branches: 0, products: 3, customers: 1, suppliers: 1, categories: 1 }).warehouses).toHaveLength(1);
  });

  it('refuses sizes that make no network', () => {
    expect(() => generateNetwork({ seed: 1, products: 0 })).toThrow(/products/);
    expect(() => generateNetwork({ seed: 1.5 })).toThrow(/seed/);
    expect(() => generateNetwork({ seed: 1, branches: -1 })).toThrow(/branches/);
  });

  it('spreads demand by the Pareto rule: about 20 % of products (class A) take about 80 % of the lines', () => {
    const share = (cls: string) => full.products.filter((p) => p.abcClass === cls).reduce((a, p) => a + p.lineShare, 0);
    const count = (cls: string) => full.products.filter((p) => p.abcClass === cls).length;
    expect(count('A') / full.products.length).toBeGreaterThan(0.15);
    expect(count('A') / full.products.length).toBeLessThan(0.25);
    expect(share('A')).toBeCloseTo(0.8, 1);
    expect(share('A') + share('B') + share('C')).toBeCloseTo(1, 9);
    // Classes follow demand: every A sells more than any B, every B more than any C.
    const least = (cls: string) => Math.min(...full.products.filter((p) => p.abcClass === cls).map((p) => p.lineShare));
    const most = (cls: string) => Math.max(...full.products.filter((p) => p.abcClass === cls).map((p) => p.lineShare));
    expect(least('A')).toBeGreaterThan(most('B'));
    expect(least('B')).toBeGreaterThan(most('C'));
    // No single product dominates, and a few slow movers sit at the very bottom.
    expect(most('A')).toBeLessThan(0.03);
    const slow = full.products.filter((p) => p.slowMover);
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.length).toBeLessThan(full.products.length * 0.05);
    expect(slow.every((p) => p.abcClass === 'C')).toBe(true);
  });

  it('gives every reorder rule exactly one source: branches the DC, the DC the preferred supplier', () => {
    for (const net of [small, full]) {
      const dc = net.warehouses.find((w) => w.kind === 'central_dc')!;
      const preferred = new Map(net.supplierProducts.filter((sp) => sp.preferred).map((sp) => [sp.sku, sp]));
      const lane = new Map(net.transferLanes.filter((l) => l.fromCode === dc.code).map((l) => [l.toCode, l.leadTimeDays]));
      expect(unique(net.reorderRules.map((r) => `${r.sku}@${r.warehouseCode}`))).toBe(true);
      const wrong = net.reorderRules.filter((r) => {
        const oneSource = (r.sourceSupplierCode === null) !== (r.sourceWarehouseCode === null);
        const source =
          r.warehouseCode === dc.code
            ? r.sourceSupplierCode === preferred.get(r.sku)?.supplierCode && r.leadTimeDays === preferred.get(r.sku)?.leadTimeDays
            : r.sourceWarehouseCode === dc.code && r.leadTimeDays === lane.get(r.warehouseCode);
        return !oneSource || !source || r.safetyStock > r.minQty || r.maxQty <= r.minQty || r.multiple < 1;
      });
      expect(wrong).toEqual([]);
    }
  });

  it('sizes the DC for its own customers plus the branches it feeds', () => {
    const dc = full.warehouses.find((w) => w.kind === 'central_dc')!;
    const sku = full.products.find((p) => p.abcClass === 'A')!.sku;
    const network = full.demand.filter((d) => d.sku === sku).reduce((a, d) => a + d.dailyUnits, 0);
    const rule = full.reorderRules.find((r) => r.sku === sku && r.warehouseCode === dc.code)!;
    expect(rule.sizedForDailyUnits).toBeCloseTo(network, 2);
    expect(rule.minQty).toBeGreaterThanOrEqual(Math.floor(network * rule.leadTimeDays));
  });

  it('draws as many order lines a day as the demand model says', () => {
    const { ordersPerDay, linesPerOrder } = full.demandModel;
    const qty = new Map(full.products.map((p) => [p.sku, p.meanLineQty]));
    const lines = full.demand.reduce((a, d) => a + d.dailyUnits / qty.get(d.sku)!, 0);
    expect(lines / (ordersPerDay * linesPerOrder)).toBeCloseTo(1, 2);
    expect(full.customers.reduce((a, c) => a + c.ordersPerDay, 0)).toBeCloseTo(ordersPerDay, 0);
  });

  it('opens with stock between min and max, a few pairs below min', () => {
    const opening = new Map(full.openingStock.map((o) => [`${o.sku}@${o.warehouseCode}`, o.qty]));
    const below = full.reorderRules.filter((r) => (opening.get(`${r.sku}@${r.warehouseCode}`) ?? 0) < r.minQty).length;
    expect(below / full.reorderRules.length).toBeGreaterThan(0.01);
    expect(below / full.reorderRules.length).toBeLessThan(0.06);
    expect(full.reorderRules.every((r) => (opening.get(`${r.sku}@${r.warehouseCode}`) ?? 0) <= r.maxQty)).toBe(true);
    expect(full.openingStock.every((o) => Number.isInteger(o.qty) && o.qty > 0)).toBe(true);
  });

  it('refers only to what it defines', () => {
    for (const net of [small, full]) expect(danglingReferences(net)).toEqual([]);
  });
});

/** Every reference by code resolves, codes are unique, and per-product supplier terms are consistent. */
function danglingReferences(net: Network): string[] {
  const problems: string[] = [];
  const regions = new Set(net.regions.map((r) => r.code));
  const warehouses = new Map(net.warehouses.map((w) => [w.code, w]));
  const products = new Map(net.products.map((p) => [p.sku, p]));
  const suppliers = new Set(net.suppliers.map((s) => s.code));
  const customers = new Set(net.customers.map((c) => c.code));
  const dc = net.warehouses.find((w) => w.kind === 'central_dc')!;
  const termsOf = new Map<string, Network['supplierProducts']>();
  for (const s of net.supplierProducts) termsOf.set(s.sku, [...(termsOf.get(s.sku) ?? []), s]);
  const check = (ok: boolean, what: string) => ok || problems.push(what);
  for (const [name, codes] of Object.entries({
    regions: net.regions.map((r) => r.code),
    warehouses: net.warehouses.map((w) => w.code),
    products: net.products.map((p) => p.sku),
    suppliers: net.suppliers.map((s) => s.code),
    customers: net.customers.map((c) => c.code),
    lanes: net.transferLanes.map((l) => `${l.fromCode}>${l.toCode}`),
    supplierProducts: net.supplierProducts.map((s) => `${s.supplierCode}|${s.sku}`),
    customerPrices: net.customerPrices.map((p) => `${p.customerCode}|${p.sku}`),
    openingStock: net.openingStock.map((o) => `${o.sku}@${o.warehouseCode}`)
  })) {
    check(unique(codes), `${name} repeat a key`);
  }
  for (const w of net.warehouses) check(regions.has(w.regionCode), `warehouse ${w.code}: region ${w.regionCode}`);
  for (const l of net.transferLanes) {
    check(warehouses.has(l.fromCode) && warehouses.has(l.toCode), `lane ${l.fromCode}>${l.toCode}`);
    check(l.fromCode === dc.code || warehouses.get(l.fromCode)?.regionCode === warehouses.get(l.toCode)?.regionCode, `lane ${l.fromCode}>${l.toCode} crosses regions between branches`);
  }
  for (const p of net.products) {
    check(net.categories.includes(p.category), `product ${p.sku}: category ${p.category}`);
    check(p.priceMinor > p.costMinor && p.costMinor > 0, `product ${p.sku}: price ${p.priceMinor} for cost ${p.costMinor}`);
    const terms = termsOf.get(p.sku) ?? [];
    check(terms.length >= 1 && terms.length <= 3, `product ${p.sku} has ${terms.length} suppliers`);
    check(terms.filter((t) => t.preferred).length === 1, `product ${p.sku} has not exactly one preferred supplier`);
  }
  for (const s of net.supplierProducts) {
    check(suppliers.has(s.supplierCode) && products.has(s.sku), `supplier product ${s.supplierCode}|${s.sku}`);
    check(s.moq >= 1 && s.packMultiple >= 1 && s.leadTimeDays >= 1, `supplier product ${s.supplierCode}|${s.sku}: terms`);
  }
  for (const c of net.customers) {
    check(regions.has(c.regionCode), `customer ${c.code}: region ${c.regionCode}`);
    const w = warehouses.get(c.warehouseCode);
    check(w !== undefined && (w.regionCode === c.regionCode || w === dc), `customer ${c.code}: served by ${c.warehouseCode}`);
    check(c.categoryAffinity.every((cat) => net.categories.includes(cat)), `customer ${c.code}: affinity`);
  }
  for (const p of net.customerPrices) {
    check(customers.has(p.customerCode) && products.has(p.sku), `customer price ${p.customerCode}|${p.sku}`);
    check(p.priceMinor >= products.get(p.sku)!.costMinor, `customer price ${p.customerCode}|${p.sku} under cost`);
  }
  for (const r of [...net.reorderRules, ...net.demand, ...net.openingStock]) {
    check(products.has(r.sku) && warehouses.has(r.warehouseCode), `row ${r.sku}@${r.warehouseCode}`);
  }
  for (const r of net.reorderRules) {
    check(r.sourceWarehouseCode === null || warehouses.has(r.sourceWarehouseCode), `rule ${r.sku}@${r.warehouseCode}: source warehouse`);
    check(r.sourceSupplierCode === null || (termsOf.get(r.sku) ?? []).some((s) => s.supplierCode === r.sourceSupplierCode), `rule ${r.sku}@${r.warehouseCode}: supplier terms`);
  }
  return problems;
}

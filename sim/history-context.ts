import type { Actor } from '../app/lib/server/core/actor';
import { INTERNAL_KINDS, type LocationKind, type WarehouseLocations } from '../app/lib/server/core/locations';
import type { CustomerDef, Network, ProductDef, SupplierDef } from './network-types';
import { lookup, ruleKey, type NetworkIds } from './network-writer';
import { Zones } from './history-time';

/**
 * The network as the history simulation looks things up: arrays indexed by
 * position (warehouse, product, customer, supplier index) with their database
 * ids, location kinds by location id, contract prices, supplier terms, lanes
 * and reorder rules. Built once from the network and the ids writeNetwork
 * returned.
 */

export interface WarehouseCtx {
  index: number;
  id: number;
  code: string;
  kind: 'central_dc' | 'branch';
  tz: string;
  loc: WarehouseLocations;
}

export interface ProductCtx {
  index: number;
  id: number;
  def: ProductDef;
}

export interface CustomerCtx {
  index: number;
  id: number;
  def: CustomerDef;
  warehouse: number;
  /** Contract prices by product index. */
  prices: Map<number, number>;
}

export interface SupplierCtx {
  index: number;
  id: number;
  def: SupplierDef;
}

export interface Terms {
  costMinor: number;
  leadTimeDays: number;
  moq: number;
  packMultiple: number;
}

export interface RuleCtx {
  id: number;
  product: number;
  productId: number;
  minQty: number;
  maxQty: number;
  multiple: number;
  /** Days the reorder run looks ahead: the longest of the rule's, the supplier's and the lane's lead time. */
  horizonDays: number;
  supplier: number; // -1 when the source is a warehouse
  sourceWarehouse: number; // -1 when the source is a supplier
}

export interface LocationCtx {
  warehouse: number;
  kind: LocationKind;
}

export const INTERNAL: ReadonlySet<LocationKind> = new Set(INTERNAL_KINDS);

export interface HistoryContext {
  network: Network;
  zones: Zones;
  actorId: number | null;
  actorName: string;
  warehouses: WarehouseCtx[];
  dc: number;
  products: ProductCtx[];
  customers: CustomerCtx[];
  suppliers: SupplierCtx[];
  /** Terms by supplier index * products + product index. */
  terms: Map<number, Terms>;
  /** Lane lead time by from * warehouses + to. */
  lanes: Map<number, number>;
  /** Reorder rules per warehouse index, in product id order (as the core's run reads them). */
  rules: RuleCtx[][];
  /** Warehouse and kind by location id (a sparse array: ids are small). */
  locations: LocationCtx[];
}


export function buildContext(network: Network, ids: NetworkIds, actor: Actor): HistoryContext {
  const warehouses: WarehouseCtx[] = network.warehouses.map((w, index) => {
    const loc = ids.locations.get(w.code);
    if (!loc) throw new Error(`the network ids have no locations for warehouse ${w.code}`);
    return { index, id: lookup(ids.warehouses, w.code, 'warehouse'), code: w.code, kind: w.kind, tz: w.timeZone, loc };
  });
  const whIndex = new Map(network.warehouses.map((w, i) => [w.code, i]));
  const locations: LocationCtx[] = [];
  for (const w of warehouses) for (const [kind, id] of Object.entries(w.loc)) locations[id] = { warehouse: w.index, kind: kind as LocationKind };

  const products: ProductCtx[] = network.products.map((def, index) => ({ index, id: lookup(ids.products, def.sku, 'product'), def }));
  const productIndex = new Map(network.products.map((p, i) => [p.sku, i]));
  const P = products.length;

  const prices = new Map<string, Map<number, number>>();
  for (const cp of network.customerPrices) {
    const m = prices.get(cp.customerCode) ?? new Map<number, number>();
    m.set(productIndex.get(cp.sku)!, cp.priceMinor);
    prices.set(cp.customerCode, m);
  }
  const customers: CustomerCtx[] = network.customers.map((def, index) => ({
    index,
    id: lookup(ids.customers, def.code, 'customer'),
    def,
    warehouse: whIndex.get(def.warehouseCode)!,
    prices: prices.get(def.code) ?? new Map()
  }));

  const suppliers: SupplierCtx[] = network.suppliers.map((def, index) => ({ index, id: lookup(ids.suppliers, def.code, 'supplier'), def }));
  const supplierIndex = new Map(network.suppliers.map((s, i) => [s.code, i]));
  const terms = new Map<number, Terms>();
  for (const sp of network.supplierProducts) {
    terms.set(supplierIndex.get(sp.supplierCode)! * P + productIndex.get(sp.sku)!, {
      costMinor: sp.costMinor,
      leadTimeDays: sp.leadTimeDays,
      moq: sp.moq,
      packMultiple: sp.packMultiple
    });
  }
  const W = warehouses.length;
  const lanes = new Map<number, number>();
  for (const l of network.transferLanes) lanes.set(whIndex.get(l.fromCode)! * W + whIndex.get(l.toCode)!, l.leadTimeDays);

  const rules: RuleCtx[][] = warehouses.map(() => []);
  for (const r of network.reorderRules) {
    const w = whIndex.get(r.warehouseCode)!;
    const p = productIndex.get(r.sku)!;
    const supplier = r.sourceSupplierCode === null ? -1 : supplierIndex.get(r.sourceSupplierCode)!;
    const sourceWarehouse = r.sourceWarehouseCode === null ? -1 : whIndex.get(r.sourceWarehouseCode)!;
    const supplierLead = supplier >= 0 ? (terms.get(supplier * P + p)?.leadTimeDays ?? 0) : 0;
    const laneLead = sourceWarehouse >= 0 ? (lanes.get(sourceWarehouse * W + w) ?? 0) : 0;
    rules[w]!.push({
      id: lookup(ids.reorderRules, ruleKey(r.sku, r.warehouseCode), 'reorder rule'),
      product: p,
      productId: products[p]!.id,
      minQty: r.minQty,
      maxQty: r.maxQty,
      multiple: r.multiple,
      horizonDays: Math.max(r.leadTimeDays, supplierLead, laneLead),
      supplier,
      sourceWarehouse
    });
  }
  for (const list of rules) list.sort((a, b) => a.productId - b.productId);

  const dc = warehouses.findIndex((w) => w.kind === 'central_dc');
  return {
    network,
    zones: new Zones(),
    actorId: actor.userId,
    actorName: actor.name,
    warehouses,
    dc: dc < 0 ? 0 : dc,
    products,
    customers,
    suppliers,
    terms,
    lanes,
    rules,
    locations
  };
}

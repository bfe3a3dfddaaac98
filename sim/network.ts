import { createHash } from 'node:crypto';
import { Random } from './random';
import { categoryTemplates, generateProducts, generateSites } from './network-catalog';
import { generateCustomerPrices, generateCustomers, generateSupplierProducts, generateSuppliers } from './network-parties';
import { demandRates, planStock } from './network-stock';
import type { Network, NetworkDemandModel, NetworkSpec, ResolvedSpec } from './network-types';

export type * from './network-types';

/** The default network: 4 regions, a central DC and 5 branches, 5,000 products, 800 customers, 60 suppliers. */
export const DEFAULT_SPEC: Omit<ResolvedSpec, 'seed'> = {
  regions: 4,
  branches: 5,
  products: 5_000,
  customers: 800,
  suppliers: 60,
  categories: 12,
  ordersPerDay: 1_200,
  linesPerOrder: 4
};

/** Lines of a customer's favourite categories are this much more likely. */
const AFFINITY_BOOST = 3;

export function resolveSpec(spec: NetworkSpec): ResolvedSpec {
  const resolved = { ...DEFAULT_SPEC, ...Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) } as ResolvedSpec;
  const whole = (key: keyof ResolvedSpec, min: number) => {
    const v = resolved[key];
    if (!Number.isSafeInteger(v) || v < min) throw new Error(`network spec: ${key} must be a whole number of at least ${min}, not ${v}`);
  };
  whole('seed', Number.MIN_SAFE_INTEGER);
  for (const key of ['regions', 'products', 'customers', 'suppliers', 'categories'] as const) whole(key, 1);
  whole('branches', 0);
  if (!(resolved.ordersPerDay > 0) || !(resolved.linesPerOrder >= 1)) throw new Error('network spec: ordersPerDay must be positive and linesPerOrder at least 1');
  return resolved;
}

/**
 * A simulated distribution network, the same for the same spec (seed included):
 * a pure function of it. Each part draws from its own named random stream, so a
 * bigger customer base leaves products and suppliers as they were.
 */
export function generateNetwork(spec: NetworkSpec): Network {
  const s = resolveSpec(spec);
  const root = Random.fromSeed(s.seed);
  const demandModel: NetworkDemandModel = { ordersPerDay: s.ordersPerDay, linesPerOrder: s.linesPerOrder, affinityBoost: AFFINITY_BOOST };
  const { regions, warehouses, transferLanes } = generateSites(root.derive('sites'), s);
  const categories = categoryTemplates(s.categories);
  const products = generateProducts(root.derive('products'), s, categories);
  const suppliers = generateSuppliers(
    root.derive('suppliers'),
    s,
    categories.map((c) => c.name)
  );
  const supplierProducts = generateSupplierProducts(root.derive('supplier products'), products, suppliers);
  const customers = generateCustomers(root.derive('customers'), s, demandModel, regions, warehouses, products);
  const customerPrices = generateCustomerPrices(root.derive('customer prices'), demandModel, customers, products);
  const demand = demandRates(demandModel, warehouses, customers, products);
  const { reorderRules, openingStock } = planStock(root.derive('stock'), warehouses, transferLanes, products, suppliers, supplierProducts, demand);
  return {
    spec: s,
    demandModel,
    regions,
    warehouses,
    transferLanes,
    categories: categories.map((c) => c.name),
    products,
    suppliers,
    supplierProducts,
    customers,
    customerPrices,
    demand,
    reorderRules,
    openingStock
  };
}

/** A fingerprint of a network (SHA-256 of its JSON): equal networks, equal hashes, across processes and machines. */
export function networkHash(network: Network): string {
  return createHash('sha256').update(JSON.stringify(network)).digest('hex');
}

/**
 * The description of a simulated distribution network: plain, serialisable data
 * (JSON round-trips it unchanged). Rows refer to each other by code or SKU, never
 * by database id: the writer maps codes to ids.
 */

export interface NetworkSpec {
  seed: number;
  regions?: number;
  /** Branch warehouses besides the one central DC. */
  branches?: number;
  products?: number;
  customers?: number;
  suppliers?: number;
  categories?: number;
  /** Average sales orders per day over the whole network (sizes demand, reorder rules and stock). */
  ordersPerDay?: number;
  linesPerOrder?: number;
}

export type ResolvedSpec = Required<NetworkSpec>;

export interface RegionDef {
  code: string;
  name: string;
}

export interface WarehouseDef {
  code: string;
  name: string;
  kind: 'central_dc' | 'branch';
  regionCode: string;
  timeZone: string;
}

export interface TransferLaneDef {
  fromCode: string;
  toCode: string;
  leadTimeDays: number;
}

export type AbcClass = 'A' | 'B' | 'C';

export interface ProductDef {
  sku: string;
  name: string;
  category: string;
  baseUnit: string;
  packSizes: { name: string; qty: number }[];
  costMinor: number;
  priceMinor: number;
  abcClass: AbcClass;
  /** A few products sell only now and then (a unit every few weeks). */
  slowMover: boolean;
  /** Share of all order lines (over all products: 1); Pareto across products. */
  lineShare: number;
  /** Mean quantity of one order line, in base units. */
  meanLineQty: number;
}

export interface SupplierDef {
  code: string;
  name: string;
  categories: string[];
  /** Actual lead times: mean and standard deviation in days (the quoted one is on each supplier product). */
  leadTime: { meanDays: number; spreadDays: number };
  /** Probability that a delivery arrives by its expected date. */
  onTimeProbability: number;
  /** Probability that a line is delivered in full (otherwise short). */
  fillProbability: number;
}

export interface SupplierProductDef {
  supplierCode: string;
  sku: string;
  costMinor: number;
  leadTimeDays: number;
  moq: number;
  packMultiple: number;
  /** Exactly one supplier per product is preferred: the DC's reorder rule buys from it. */
  preferred: boolean;
}

export type CustomerTier = 'key' | 'standard' | 'small';

export interface CustomerDef {
  code: string;
  name: string;
  regionCode: string;
  tier: CustomerTier;
  creditLimitMinor: number;
  paymentTermsDays: number;
  onHold: boolean;
  /** The warehouse that serves the customer's orders. */
  warehouseCode: string;
  /** Average orders per day. */
  ordersPerDay: number;
  /** Categories the customer buys more of (lines weighted by `NetworkDemandModel.affinityBoost`). */
  categoryAffinity: string[];
}

export interface CustomerPriceDef {
  customerCode: string;
  sku: string;
  priceMinor: number;
}

export interface ReorderRuleDef {
  sku: string;
  warehouseCode: string;
  minQty: number;
  maxQty: number;
  safetyStock: number;
  multiple: number;
  leadTimeDays: number;
  /** Exactly one of the two sources is set: branches source from the DC, the DC from the preferred supplier. */
  sourceSupplierCode: string | null;
  sourceWarehouseCode: string | null;
  /** Demand the rule is sized for, units per day (at the DC: its own customers plus the branches it feeds). */
  sizedForDailyUnits: number;
}

/** Customer demand at a warehouse: units per day on average (before daily and weekly seasonality). */
export interface DemandRateDef {
  sku: string;
  warehouseCode: string;
  dailyUnits: number;
}

export interface OpeningStockDef {
  sku: string;
  warehouseCode: string;
  qty: number;
}

/**
 * How demand is drawn, for the operations generator: an order of customer c
 * picks each line's product with probability ∝ lineShare × (affinityBoost if
 * the product's category is in c's affinity, else 1), quantity around meanLineQty.
 */
export interface NetworkDemandModel {
  ordersPerDay: number;
  linesPerOrder: number;
  affinityBoost: number;
}

export interface Network {
  spec: ResolvedSpec;
  demandModel: NetworkDemandModel;
  regions: RegionDef[];
  warehouses: WarehouseDef[];
  transferLanes: TransferLaneDef[];
  categories: string[];
  products: ProductDef[];
  suppliers: SupplierDef[];
  supplierProducts: SupplierProductDef[];
  customers: CustomerDef[];
  customerPrices: CustomerPriceDef[];
  demand: DemandRateDef[];
  reorderRules: ReorderRuleDef[];
  openingStock: OpeningStockDef[];
}

import { sql } from 'drizzle-orm';
import { bigint, boolean, check, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const warehouseKind = pgEnum('warehouse_kind', ['central_dc', 'branch', 'depot']);
/** Internal kinds hold real stock; the others are the ledger's virtual counterparts. */
export const locationKind = pgEnum('location_kind', ['stock', 'quality_hold', 'damaged', 'transit', 'supplier', 'customer', 'adjustment', 'scrap']);
export const abcClass = pgEnum('abc_class', ['A', 'B', 'C']);
export const customerTier = pgEnum('customer_tier', ['key', 'standard', 'small']);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const regions = pgTable('regions', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt()
});

export const warehouses = pgTable(
  'warehouses',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: warehouseKind('kind').notNull(),
    regionId: integer('region_id').notNull().references(() => regions.id),
    // Day buckets (fill rate by day, picking "today") use the warehouse's own zone.
    timeZone: text('time_zone').notNull().default('UTC'),
    createdAt: createdAt()
  },
  (t) => [uniqueIndex('warehouses_code_key').on(t.code), check('warehouses_code_not_blank', sql`length(trim(${t.code})) > 0`)]
);

export const locations = pgTable(
  'locations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
    kind: locationKind('kind').notNull(),
    code: text('code').notNull().unique()
  },
  (t) => [uniqueIndex('locations_warehouse_kind_key').on(t.warehouseId, t.kind)]
);

export const products = pgTable(
  'products',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    baseUnit: text('base_unit').notNull().default('each'),
    /** Pack sizes in base units, e.g. [{"name":"case","qty":12}]: converted at entry. */
    packSizes: jsonb('pack_sizes').$type<{ name: string; qty: number }[]>().notNull().default([]),
    costMinor: bigint('cost_minor', { mode: 'number' }).notNull(),
    priceMinor: bigint('price_minor', { mode: 'number' }).notNull(),
    category: text('category').notNull(),
    abcClass: abcClass('abc_class').notNull().default('C'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt()
  },
  (t) => [
    uniqueIndex('products_sku_key').on(t.sku),
    check('products_money_not_negative', sql`${t.costMinor} >= 0 AND ${t.priceMinor} >= 0`)
  ]
);

export const suppliers = pgTable('suppliers', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  createdAt: createdAt()
});

export const supplierProducts = pgTable(
  'supplier_products',
  {
    supplierId: integer('supplier_id').notNull().references(() => suppliers.id),
    productId: integer('product_id').notNull().references(() => products.id),
    costMinor: bigint('cost_minor', { mode: 'number' }).notNull(),
    leadTimeDays: integer('lead_time_days').notNull(),
    moq: integer('moq').notNull().default(1),
    packMultiple: integer('pack_multiple').notNull().default(1)
  },
  (t) => [
    primaryKey({ columns: [t.supplierId, t.productId] }),
    check('supplier_products_positive', sql`${t.leadTimeDays} >= 0 AND ${t.moq} >= 1 AND ${t.packMultiple} >= 1 AND ${t.costMinor} >= 0`)
  ]
);

export const customers = pgTable(
  'customers',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    regionId: integer('region_id').notNull().references(() => regions.id),
    tier: customerTier('tier').notNull().default('standard'),
    creditLimitMinor: bigint('credit_limit_minor', { mode: 'number' }).notNull(),
    paymentTermsDays: integer('payment_terms_days').notNull().default(30),
    onHold: boolean('on_hold').notNull().default(false),
    createdAt: createdAt()
  },
  (t) => [check('customers_terms', sql`${t.creditLimitMinor} >= 0 AND ${t.paymentTermsDays} >= 0`)]
);

export const customerPrices = pgTable(
  'customer_prices',
  {
    customerId: integer('customer_id').notNull().references(() => customers.id),
    productId: integer('product_id').notNull().references(() => products.id),
    priceMinor: bigint('price_minor', { mode: 'number' }).notNull()
  },
  (t) => [primaryKey({ columns: [t.customerId, t.productId] }), check('customer_prices_not_negative', sql`${t.priceMinor} >= 0`)]
);

export const reorderRules = pgTable(
  'reorder_rules',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    productId: integer('product_id').notNull().references(() => products.id),
    warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
    minQty: integer('min_qty').notNull(),
    maxQty: integer('max_qty').notNull(),
    safetyStock: integer('safety_stock').notNull().default(0),
    multiple: integer('multiple').notNull().default(1),
    leadTimeDays: integer('lead_time_days').notNull(),
    sourceSupplierId: integer('source_supplier_id').references(() => suppliers.id),
    sourceWarehouseId: integer('source_warehouse_id').references(() => warehouses.id)
  },
  (t) => [
    uniqueIndex('reorder_rules_product_warehouse_key').on(t.productId, t.warehouseId),
    check('reorder_rules_quantities', sql`${t.minQty} >= 0 AND ${t.maxQty} >= ${t.minQty} AND ${t.safetyStock} >= 0 AND ${t.multiple} >= 1 AND ${t.leadTimeDays} >= 0`),
    check('reorder_rules_one_source', sql`(${t.sourceSupplierId} IS NULL) <> (${t.sourceWarehouseId} IS NULL)`),
    check('reorder_rules_not_self', sql`${t.sourceWarehouseId} IS NULL OR ${t.sourceWarehouseId} <> ${t.warehouseId}`)
  ]
);

/** Transfer lanes: the planned lead time between two warehouses. */
export const transferLanes = pgTable(
  'transfer_lanes',
  {
    fromWarehouseId: integer('from_warehouse_id').notNull().references(() => warehouses.id),
    toWarehouseId: integer('to_warehouse_id').notNull().references(() => warehouses.id),
    leadTimeDays: integer('lead_time_days').notNull()
  },
  (t) => [primaryKey({ columns: [t.fromWarehouseId, t.toWarehouseId] }), check('transfer_lanes_lead_time', sql`${t.leadTimeDays} >= 0`)]
);

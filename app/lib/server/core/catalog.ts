import { and, asc, eq, ilike, or, type SQL } from 'drizzle-orm';
import {
  customerInput,
  customerListInput,
  customerPriceInput,
  customerPriceListInput,
  productInput,
  productListInput,
  regionInput,
  reorderRuleInput,
  reorderRuleListInput,
  supplierInput,
  supplierProductInput,
  supplierProductListInput,
  transferLaneInput,
  warehouseInput,
  type CustomerInput,
  type CustomerListInput,
  type CustomerPriceInput,
  type CustomerPriceListInput,
  type ProductInput,
  type ProductListInput,
  type RegionInput,
  type ReorderRuleInput,
  type ReorderRuleListInput,
  type SupplierInput,
  type SupplierProductInput,
  type SupplierProductListInput,
  type TransferLaneInput,
  type WarehouseInput
} from '../../../../schemas/api/catalog';
import type { Actor } from './actor';
import type { CoreDb, Db, Tx } from './db';
import { tables } from './db';
import type { LocationKind } from './locations';
import { transact } from './transaction';

const { regions, warehouses, locations, products, suppliers, supplierProducts, customers, customerPrices, reorderRules, transferLanes } = tables;

const ALL_KINDS: LocationKind[] = ['stock', 'quality_hold', 'damaged', 'transit', 'supplier', 'customer', 'adjustment', 'scrap'];

/** Master data. Inputs are parsed again here: services never trust their callers. */
export async function createRegion(db: CoreDb, actor: Actor, input: RegionInput) {
  const data = regionInput.parse(input);
  return transact(db, actor, 'catalog.createRegion', async (tx) => (await tx.insert(regions).values(data).returning())[0]!);
}

/** A warehouse with its locations: stock, quality hold, damaged, transit and the virtual ones. */
export async function insertWarehouse(tx: Tx, input: WarehouseInput) {
  const data = warehouseInput.parse(input);
  const [warehouse] = await tx.insert(warehouses).values(data).returning();
  await tx.insert(locations).values(ALL_KINDS.map((kind) => ({ warehouseId: warehouse!.id, kind, code: `${data.code}/${kind}` })));
  return warehouse!;
}

export async function createWarehouse(db: CoreDb, actor: Actor, input: WarehouseInput) {
  return transact(db, actor, 'catalog.createWarehouse', (tx) => insertWarehouse(tx, input));
}

export async function insertProducts(tx: Tx, input: ProductInput[]) {
  const rows = input.map((p) => productInput.parse(p));
  return rows.length ? tx.insert(products).values(rows).returning() : [];
}

export async function createProduct(db: CoreDb, actor: Actor, input: ProductInput) {
  return transact(db, actor, 'catalog.createProduct', async (tx) => (await insertProducts(tx, [input]))[0]!);
}

export async function createSupplier(db: CoreDb, actor: Actor, input: SupplierInput) {
  const data = supplierInput.parse(input);
  return transact(db, actor, 'catalog.createSupplier', async (tx) => (await tx.insert(suppliers).values(data).returning())[0]!);
}

export async function upsertSupplierProduct(db: CoreDb, actor: Actor, input: SupplierProductInput) {
  const data = supplierProductInput.parse(input);
  return transact(db, actor, 'catalog.upsertSupplierProduct', async (tx) =>
    (
      await tx
        .insert(supplierProducts)
        .values(data)
        .onConflictDoUpdate({ target: [supplierProducts.supplierId, supplierProducts.productId], set: data })
        .returning()
    )[0]!
  );
}

export async function insertCustomers(tx: Tx, input: CustomerInput[]) {
  const rows = input.map((c) => customerInput.parse(c));
  return rows.length ? tx.insert(customers).values(rows).returning() : [];
}

export async function createCustomer(db: CoreDb, actor: Actor, input: CustomerInput) {
  return transact(db, actor, 'catalog.createCustomer', async (tx) => (await insertCustomers(tx, [input]))[0]!);
}

export async function setCustomerPrice(db: CoreDb, actor: Actor, input: CustomerPriceInput) {
  const data = customerPriceInput.parse(input);
  return transact(db, actor, 'catalog.setCustomerPrice', async (tx) =>
    (
      await tx
        .insert(customerPrices)
        .values(data)
        .onConflictDoUpdate({ target: [customerPrices.customerId, customerPrices.productId], set: { priceMinor: data.priceMinor } })
        .returning()
    )[0]!
  );
}

export async function upsertReorderRule(db: CoreDb, actor: Actor, input: ReorderRuleInput) {
  const data = reorderRuleInput.parse(input);
  return transact(db, actor, 'catalog.upsertReorderRule', async (tx) =>
    (
      await tx
        .insert(reorderRules)
        .values(data)
        .onConflictDoUpdate({ target: [reorderRules.productId, reorderRules.warehouseId], set: data })
        .returning()
    )[0]!
  );
}

export async function upsertTransferLane(db: CoreDb, actor: Actor, input: TransferLaneInput) {
  const data = transferLaneInput.parse(input);
  return transact(db, actor, 'catalog.upsertTransferLane', async (tx) =>
    (
      await tx
        .insert(transferLanes)
        .values(data)
        .onConflictDoUpdate({ target: [transferLanes.fromWarehouseId, transferLanes.toWarehouseId], set: { leadTimeDays: data.leadTimeDays } })
        .returning()
    )[0]!
  );
}

export async function listWarehouses(db: Db) {
  return db.select().from(warehouses).orderBy(asc(warehouses.id));
}

export async function listRegions(db: Db) {
  return db.select().from(regions).orderBy(asc(regions.id));
}

/** A LIKE pattern matching the text anywhere, with the user's % and _ taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Products by SKU or name (case-insensitive, anywhere in it), SKU order, one page with the total. */
export async function listProducts(db: Db, input: ProductListInput = {}) {
  const q = productListInput.parse(input);
  const where: SQL[] = [];
  if (q.search) where.push(or(ilike(products.sku, containing(q.search)), ilike(products.name, containing(q.search)))!);
  if (q.activeOnly) where.push(eq(products.active, true));
  const filter = and(...where);
  const [items, total] = await Promise.all([
    db.select().from(products).where(filter).orderBy(asc(products.sku)).limit(q.limit).offset(q.offset),
    db.$count(products, filter)
  ]);
  return { items, total };
}

export async function listSuppliers(db: Db) {
  return db.select().from(suppliers).orderBy(asc(suppliers.code));
}

export async function listSupplierProducts(db: Db, input: SupplierProductListInput = {}) {
  const q = supplierProductListInput.parse(input);
  const where: SQL[] = [];
  if (q.supplierId) where.push(eq(supplierProducts.supplierId, q.supplierId));
  if (q.productId) where.push(eq(supplierProducts.productId, q.productId));
  return db
    .select()
    .from(supplierProducts)
    .where(and(...where))
    .orderBy(asc(supplierProducts.supplierId), asc(supplierProducts.productId));
}

/** Customers by code or name, code order, one page with the total. */
export async function listCustomers(db: Db, input: CustomerListInput = {}) {
  const q = customerListInput.parse(input);
  const where: SQL[] = [];
  if (q.search) where.push(or(ilike(customers.code, containing(q.search)), ilike(customers.name, containing(q.search)))!);
  if (q.regionId) where.push(eq(customers.regionId, q.regionId));
  const filter = and(...where);
  const [items, total] = await Promise.all([
    db.select().from(customers).where(filter).orderBy(asc(customers.code)).limit(q.limit).offset(q.offset),
    db.$count(customers, filter)
  ]);
  return { items, total };
}

export async function listCustomerPrices(db: Db, input: CustomerPriceListInput = {}) {
  const q = customerPriceListInput.parse(input);
  const where: SQL[] = [];
  if (q.customerId) where.push(eq(customerPrices.customerId, q.customerId));
  if (q.productId) where.push(eq(customerPrices.productId, q.productId));
  return db
    .select()
    .from(customerPrices)
    .where(and(...where))
    .orderBy(asc(customerPrices.customerId), asc(customerPrices.productId));
}

export async function listReorderRules(db: Db, input: ReorderRuleListInput = {}) {
  const q = reorderRuleListInput.parse(input);
  const where: SQL[] = [];
  if (q.warehouseId) where.push(eq(reorderRules.warehouseId, q.warehouseId));
  if (q.productId) where.push(eq(reorderRules.productId, q.productId));
  return db
    .select()
    .from(reorderRules)
    .where(and(...where))
    .orderBy(asc(reorderRules.warehouseId), asc(reorderRules.productId));
}

export async function listTransferLanes(db: Db) {
  return db.select().from(transferLanes).orderBy(asc(transferLanes.fromWarehouseId), asc(transferLanes.toWarehouseId));
}

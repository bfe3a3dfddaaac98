import { asc } from 'drizzle-orm';
import {
  customerInput,
  customerPriceInput,
  productInput,
  regionInput,
  reorderRuleInput,
  supplierInput,
  supplierProductInput,
  transferLaneInput,
  warehouseInput,
  type CustomerInput,
  type CustomerPriceInput,
  type ProductInput,
  type RegionInput,
  type ReorderRuleInput,
  type SupplierInput,
  type SupplierProductInput,
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

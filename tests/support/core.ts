import { afterAll } from 'vitest';
import type { Role } from '../../schemas/api/roles';
import { createCaller } from '../../app/lib/server/api/root';
import { createUser } from '../../app/lib/server/auth/sessions';
import { SYSTEM_ACTOR, type Actor } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { createCoreDb, type CoreDb } from '../../app/lib/server/core/db';
import { postDoneMoves } from '../../app/lib/server/core/ledger';
import { warehouseLocations, type WarehouseLocations } from '../../app/lib/server/core/locations';
import { transact } from '../../app/lib/server/core/transaction';
import { ROLES } from '../../schemas/api/roles';
import { freshDatabase } from './databases';
import { createPool } from '../../platform/pool';

/**
 * A fresh, migrated database with a small network: one region, warehouses A and
 * B (lane A->B, 2 days), three products, a supplier, a customer, and one user per
 * role (warehouse users scoped to A). Closed after the test file.
 */
export async function coreFixture() {
  const url = await freshDatabase('core');
  const pool = createPool(url, 40);
  afterAll(() => pool.end());
  const db: CoreDb = createCoreDb(pool);
  const a = SYSTEM_ACTOR;
  const region = await catalog.createRegion(db, a, { code: 'N', name: 'North' });
  const whA = await catalog.createWarehouse(db, a, { code: 'A', name: 'Central DC', kind: 'central_dc', regionId: region.id, timeZone: 'Europe/Berlin' });
  const whB = await catalog.createWarehouse(db, a, { code: 'B', name: 'Branch B', kind: 'branch', regionId: region.id });
  await catalog.upsertTransferLane(db, a, { fromWarehouseId: whA.id, toWarehouseId: whB.id, leadTimeDays: 2 });
  const products = [];
  for (const [i, sku] of ['SKU-1', 'SKU-2', 'SKU-3'].entries()) {
    products.push(await catalog.createProduct(db, a, { sku, name: `Product ${i + 1}`, costMinor: 500, priceMinor: 1000, category: 'tools', abcClass: 'A' }));
  }
  const supplier = await catalog.createSupplier(db, a, { code: 'SUP', name: 'Supplier' });
  for (const p of products) {
    await catalog.upsertSupplierProduct(db, a, { supplierId: supplier.id, productId: p.id, costMinor: 500, leadTimeDays: 5, moq: 10, packMultiple: 6 });
  }
  const customer = await catalog.createCustomer(db, a, { code: 'C1', name: 'Customer One', regionId: region.id, creditLimitMinor: 10_000_000 });
  const users = {} as Record<Role, Awaited<ReturnType<typeof createUser>>>;
  for (const role of ROLES) {
    users[role] = await createUser(db, a, {
      email: `${role}@test.local`,
      name: role,
      password: 'correct horse battery',
      role,
      warehouseId: role === 'warehouse' ? whA.id : null
    });
  }
  const locA = await warehouseLocations(db, whA.id);
  const locB = await warehouseLocations(db, whB.id);

  /** A tRPC caller acting as the given role (in-process, no HTTP). */
  const as = (role: Role) => createCaller({ db, user: users[role], token: null, isDev: false });
  const actorFor = (role: Role): Actor => ({ userId: users[role].id, role, warehouseId: users[role].warehouseId, name: role });

  /** Puts stock on hand (opening balance moves from the adjustment location). */
  async function stockUp(locations: WarehouseLocations, productId: number, qty: number) {
    await transact(db, a, 'test.stockUp', (tx) =>
      postDoneMoves(tx, a, [{ productId, qty, fromLocationId: locations.adjustment, toLocationId: locations.stock, documentType: 'opening_balance', documentId: 0 }])
    );
  }

  return { url, pool, db, region, whA, whB, locA, locB, products, supplier, customer, users, as, actorFor, stockUp };
}

export type CoreFixture = Awaited<ReturnType<typeof coreFixture>>;

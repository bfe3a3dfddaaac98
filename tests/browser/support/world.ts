import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '../../../app/lib/server/api/root';
import type { Role } from '../../../schemas/api/roles';
import { ROLES } from '../../../schemas/api/roles';

/**
 * The small distribution network every browser test works in, created once through
 * the public API as the bootstrap admin (the same procedures the screens call):
 * regions North (Central DC "A", Branch "B") and South (Branch "C"), six products,
 * a supplier, two customers, reorder rules at A, opening stock, and one user per
 * role (the warehouse lead at A). Written to a JSON file the tests read.
 */
export const ADMIN = { email: 'admin@e2e.local', password: 'e2e admin password' };
export const PASSWORD = 'correct horse battery';
export const emailOf = (role: Role) => `${role}@e2e.local`;

export interface World {
  baseURL: string;
  regions: { north: number; south: number };
  warehouses: { A: number; B: number; C: number };
  products: { id: number; sku: string }[];
  customer: number;
  supplier: number;
}

export function apiAs(baseURL: string, token: string) {
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseURL}/api/trpc`, headers: { authorization: `Bearer ${token}` } })] });
}

export async function signIn(baseURL: string, email: string, password: string) {
  const anon = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseURL}/api/trpc` })] });
  const { token } = await anon.auth.login.mutate({ email, password });
  return apiAs(baseURL, token);
}

export async function createWorld(baseURL: string): Promise<World> {
  const api = await signIn(baseURL, ADMIN.email, ADMIN.password);
  const north = await api.catalog.regions.create.mutate({ code: 'N', name: 'North' });
  const south = await api.catalog.regions.create.mutate({ code: 'S', name: 'South' });
  const A = await api.catalog.warehouses.create.mutate({ code: 'A', name: 'Central DC', kind: 'central_dc', regionId: north.id, timeZone: 'Europe/Berlin' });
  const B = await api.catalog.warehouses.create.mutate({ code: 'B', name: 'Branch B', kind: 'branch', regionId: north.id, timeZone: 'Europe/Berlin' });
  const C = await api.catalog.warehouses.create.mutate({ code: 'C', name: 'Branch C', kind: 'branch', regionId: south.id, timeZone: 'Europe/Berlin' });
  await api.catalog.transferLanes.upsert.mutate({ fromWarehouseId: A.id, toWarehouseId: B.id, leadTimeDays: 2 });
  await api.catalog.transferLanes.upsert.mutate({ fromWarehouseId: A.id, toWarehouseId: C.id, leadTimeDays: 3 });
  const products = [];
  const specs = [
    ['DRL-100', 'Cordless drill', 'tools', 'A'],
    ['SAW-200', 'Circular saw', 'tools', 'A'],
    ['HMR-300', 'Claw hammer', 'tools', 'B'],
    ['PNT-400', 'Wall paint 10 l', 'paint', 'B'],
    ['BRS-500', 'Paint brush set', 'paint', 'C'],
    ['TAP-600', 'Masking tape', 'paint', 'C']
  ] as const;
  for (const [sku, name, category, abcClass] of specs) {
    products.push(await api.catalog.products.create.mutate({ sku, name, category, abcClass, costMinor: 2_000, priceMinor: 4_500 }));
  }
  const supplier = await api.catalog.suppliers.create.mutate({ code: 'SUP-1', name: 'Acme Supply' });
  for (const p of products) {
    await api.catalog.supplierProducts.upsert.mutate({ supplierId: supplier.id, productId: p.id, costMinor: 2_000, leadTimeDays: 5, moq: 10, packMultiple: 5 });
    await api.catalog.reorderRules.upsert.mutate({ productId: p.id, warehouseId: A.id, minQty: 40, maxQty: 120, safetyStock: 10, multiple: 5, leadTimeDays: 5, sourceSupplierId: supplier.id });
  }
  const customer = await api.catalog.customers.create.mutate({ code: 'CUST-1', name: 'Builders Depot', regionId: north.id, creditLimitMinor: 1_000_000_000 });
  await api.catalog.customers.create.mutate({ code: 'CUST-2', name: 'Southern Hardware', regionId: south.id, creditLimitMinor: 1_000_000_000 });
  const balances = ['warehouse_code,sku,qty'];
  for (const p of products) balances.push(`A,${p.sku},100`, `B,${p.sku},20`, `C,${p.sku},8`);
  await api.catalog.import.mutate({ kind: 'opening_balances', text: balances.join('\n') });
  for (const role of ROLES) {
    if (role === 'admin') continue;
    await api.auth.createUser.mutate({ email: emailOf(role), name: `${role[0]!.toUpperCase()}${role.slice(1)} User`, password: PASSWORD, role, warehouseId: role === 'warehouse' ? A.id : null });
  }
  // A little trade so the boards have numbers: shipped orders at A and C, one backordered at C.
  const ship = async (customerId: number, warehouseId: number, lines: { productId: number; qty: number }[]) => {
    const order = await api.orders.create.mutate({ customerId, warehouseId, lines });
    await api.orders.confirm.mutate({ orderId: order.id });
    await api.orders.ship.mutate({ orderId: order.id });
    return order.id;
  };
  await ship(customer.id, A.id, [{ productId: products[0]!.id, qty: 5 }, { productId: products[3]!.id, qty: 2 }]);
  await ship(customer.id, A.id, [{ productId: products[1]!.id, qty: 3 }]);
  await ship(customer.id, C.id, [{ productId: products[4]!.id, qty: 12 }]);
  return {
    baseURL,
    regions: { north: north.id, south: south.id },
    warehouses: { A: A.id, B: B.id, C: C.id },
    products: products.map((p) => ({ id: p.id, sku: p.sku })),
    customer: customer.id,
    supplier: supplier.id
  };
}

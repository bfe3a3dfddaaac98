import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { getRuntime } from '$lib/server/runtime';
import { listCustomers, listProducts } from '$lib/server/core/catalog';
import { ordersRouter } from '$lib/server/api/routers/orders';
import { allowedActions } from '$lib/forms/permissions.server';
import { warehouseOptions } from '../names.server';

/** The order entry form: the first page of customers and products for the pickers (they search the rest). */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'orders');
  if (!allowedActions(ordersRouter, user.role, ['create']).create) error(403, `The ${user.role} role does not enter sales orders.`);
  const { db } = getRuntime();
  const [warehouses, customers, products] = await Promise.all([
    warehouseOptions(db),
    listCustomers(db, { limit: 50 }),
    listProducts(db, { activeOnly: true, limit: 50 })
  ]);
  return {
    warehouses: warehouses.filter((w) => user.warehouseId === null || w.id === user.warehouseId),
    customers: customers.items.map((c) => ({ id: c.id, label: `${c.code} · ${c.name}` })),
    products: products.items.map((p) => ({ id: p.id, label: `${p.sku} · ${p.name}` })),
    defaultWarehouseId: user.warehouseId
  };
};

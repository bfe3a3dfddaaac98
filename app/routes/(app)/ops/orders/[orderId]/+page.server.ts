import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { getRuntime } from '$lib/server/runtime';
import { getOrder } from '$lib/server/core/orders';
import { DomainError } from '$lib/server/core/errors';
import { ordersRouter } from '$lib/server/api/routers/orders';
import { allowedActions } from '$lib/forms/permissions.server';
import { customerNames, productNames, userNames, warehouseOptions } from '../names.server';

const ACTIONS = ['confirm', 'approve', 'reject', 'cancel', 'cancelLine', 'ship'] as const;

/** One order with its lines, shipments and invoices, and the actions this person may take on it. */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'orders');
  const orderId = /^\d+$/.test(event.params.orderId) ? Number(event.params.orderId) : NaN;
  if (!(orderId > 0)) error(404, 'No such order');
  const { db } = getRuntime();
  const order = await getOrder(db, orderId).catch((err: unknown) => {
    if (err instanceof DomainError && err.code === 'NOT_FOUND') error(404, err.message);
    throw err;
  });
  const may = allowedActions(ordersRouter, user.role, ACTIONS);
  // A warehouse lead acts on its own warehouse's orders only (the core refuses the others).
  if (user.warehouseId !== null && user.warehouseId !== order.warehouseId) for (const k of ACTIONS) may[k] = false;
  const [customers, products, warehouses, people] = await Promise.all([
    customerNames(db, [order.customerId]),
    productNames(db, order.lines.map((l) => l.productId)),
    warehouseOptions(db),
    userNames(db, [order.createdBy, order.approvedBy, ...order.shipments.map((s) => s.actorId)])
  ]);
  return {
    order,
    customer: customers[order.customerId] ?? null,
    warehouse: warehouses.find((w) => w.id === order.warehouseId) ?? null,
    products,
    people,
    may
  };
};

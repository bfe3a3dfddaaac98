import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { getRuntime } from '$lib/server/runtime';
import { listOrders } from '$lib/server/core/orders';
import { ordersRouter } from '$lib/server/api/routers/orders';
import { allowedActions } from '$lib/forms/permissions.server';
import { listOrdersInput, orderState } from '../../../../../schemas/api/orders';
import { customerNames, warehouseOptions } from './names.server';

const PAGE = 50;
const positive = (v: string | null) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined);

/** Sales orders, newest first, filtered by state and warehouse, paged by "older than this id". */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'orders');
  const { db } = getRuntime();
  const q = event.url.searchParams;
  const state = orderState.safeParse(q.get('state'));
  // A warehouse lead starts on its own warehouse; "all" asks for every one.
  const warehouse = q.get('warehouse');
  const filter = listOrdersInput.parse({
    state: state.success ? state.data : undefined,
    warehouseId: warehouse === null ? (user.warehouseId ?? undefined) : positive(warehouse),
    beforeId: positive(q.get('before')),
    limit: PAGE
  });
  const [orders, warehouses] = await Promise.all([listOrders(db, filter), warehouseOptions(db)]);
  return {
    orders,
    filter: { state: filter.state ?? '', warehouseId: filter.warehouseId ?? null, beforeId: filter.beforeId ?? null },
    more: orders.length === PAGE,
    customers: await customerNames(db, orders.map((o) => o.customerId)),
    warehouses,
    may: allowedActions(ordersRouter, user.role, ['create'])
  };
};

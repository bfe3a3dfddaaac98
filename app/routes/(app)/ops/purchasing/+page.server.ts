import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { getRuntime } from '$lib/server/runtime';
import { listPurchaseOrders } from '$lib/server/core/purchasing';
import { purchasingRouter } from '$lib/server/api/routers/purchasing';
import { allowedActions } from '$lib/forms/permissions.server';
import { idParam, supplierRefs, warehouseRefs } from '$lib/components/ops/refs.server';
import { purchaseOrderState } from '../../../../../schemas/api/purchasing';

/** Purchasing: reorder suggestions per warehouse and the purchase orders, filtered by warehouse and state. */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'purchasing');
  const { db } = getRuntime();
  const q = event.url.searchParams;
  // A warehouse lead starts on its own warehouse; "all" is an explicit choice.
  const warehouseId = q.get('warehouse') === 'all' ? undefined : (idParam(q.get('warehouse')) ?? user.warehouseId ?? undefined);
  const state = purchaseOrderState.safeParse(q.get('state')).data;
  const [warehouses, suppliers, orders] = await Promise.all([
    warehouseRefs(db),
    supplierRefs(db),
    listPurchaseOrders(db, { warehouseId, state, limit: 200 })
  ]);
  return {
    warehouses,
    suppliers,
    orders,
    filter: { warehouseId, state },
    can: allowedActions(purchasingRouter, user.role, ['suggestions', 'reorder'])
  };
};

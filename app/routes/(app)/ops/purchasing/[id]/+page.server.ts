import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { getRuntime } from '$lib/server/runtime';
import { getPurchaseOrder } from '$lib/server/core/purchasing';
import { purchasingRouter } from '$lib/server/api/routers/purchasing';
import { allowedActions } from '$lib/forms/permissions.server';
import { idParam, orNotFound, supplierRefs, warehouseRefs } from '$lib/components/ops/refs.server';
import { mayActAt } from '$lib/components/ops/refs';

/** One purchase order: its lines, receipts, and what the signed-in user may do with it. */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'purchasing');
  const id = idParam(event.params.id);
  if (id === undefined) error(404, `no purchase order ${event.params.id}`);
  const { db } = getRuntime();
  const [po, warehouses, suppliers] = await Promise.all([orNotFound(() => getPurchaseOrder(db, id)), warehouseRefs(db), supplierRefs(db)]);
  return {
    po,
    warehouses,
    suppliers,
    can: allowedActions(purchasingRouter, user.role, ['send', 'cancel', 'close', 'receive']),
    inScope: mayActAt(user, po.warehouseId)
  };
};

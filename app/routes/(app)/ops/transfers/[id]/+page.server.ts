import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { getRuntime } from '$lib/server/runtime';
import { getTransfer } from '$lib/server/core/transfers';
import { transfersRouter } from '$lib/server/api/routers/transfers';
import { allowedActions } from '$lib/forms/permissions.server';
import { idParam, orNotFound, warehouseRefs } from '$lib/components/ops/refs.server';
import { mayActAt } from '$lib/components/ops/refs';

/** One transfer: its lines and what the signed-in user may do with it at which end. */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'transfers');
  const id = idParam(event.params.id);
  if (id === undefined) error(404, `no transfer ${event.params.id}`);
  const { db } = getRuntime();
  const [transfer, warehouses] = await Promise.all([orNotFound(() => getTransfer(db, id)), warehouseRefs(db)]);
  const atSource = mayActAt(user, transfer.fromWarehouseId);
  const atDestination = mayActAt(user, transfer.toWarehouseId);
  return {
    transfer,
    warehouses,
    can: allowedActions(transfersRouter, user.role, ['approve', 'cancel', 'ship', 'receive']),
    // Approve and cancel: either end; ship: the source; receive: the destination (as the API checks).
    scope: { either: atSource || atDestination, source: atSource, destination: atDestination }
  };
};

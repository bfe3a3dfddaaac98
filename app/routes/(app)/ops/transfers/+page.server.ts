import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { getRuntime } from '$lib/server/runtime';
import { listTransfers } from '$lib/server/core/transfers';
import { transfersRouter } from '$lib/server/api/routers/transfers';
import { allowedActions } from '$lib/forms/permissions.server';
import { idParam, laneRefs, warehouseRefs } from '$lib/components/ops/refs.server';
import { transferState } from '../../../../../schemas/api/transfers';

/** Transfers: the request form and the transfers from or to a warehouse, filtered by state. */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'transfers');
  const { db } = getRuntime();
  const q = event.url.searchParams;
  // A warehouse lead starts on its own warehouse; "all" is an explicit choice.
  const warehouseId = q.get('warehouse') === 'all' ? undefined : (idParam(q.get('warehouse')) ?? user.warehouseId ?? undefined);
  const state = transferState.safeParse(q.get('state')).data;
  const [warehouses, lanes, transfers] = await Promise.all([warehouseRefs(db), laneRefs(db), listTransfers(db, { warehouseId, state, limit: 200 })]);
  return {
    warehouses,
    lanes,
    transfers,
    filter: { warehouseId, state },
    homeWarehouseId: user.warehouseId,
    can: allowedActions(transfersRouter, user.role, ['request'])
  };
};

import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { wallWarehouses } from '$lib/server/live/boards/wall-queries';
import { getRuntime } from '$lib/server/runtime';

/** Pick a warehouse's wall screen; a warehouse lead has one, and goes straight to it. */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'wall');
  if (user.warehouseId !== null) redirect(303, `/wall/${user.warehouseId}`);
  return { warehouses: await wallWarehouses(getRuntime().db), canManageKiosks: user.role === 'admin' };
};

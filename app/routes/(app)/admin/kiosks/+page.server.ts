import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { actorOf } from '$lib/server/auth/sessions';
import { listKioskTokens } from '$lib/server/auth/kiosk';
import { wallWarehouses } from '$lib/server/live/boards/wall-queries';
import { getRuntime } from '$lib/server/runtime';

/** Kiosk tokens for wall screens: an admin's for every warehouse, a warehouse lead's for its own. */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'kiosks');
  const { db } = getRuntime();
  const [kiosks, warehouses] = await Promise.all([listKioskTokens(db, actorOf(user)), wallWarehouses(db)]);
  return { kiosks, warehouses: warehouses.filter((w) => user.warehouseId === null || w.id === user.warehouseId) };
};

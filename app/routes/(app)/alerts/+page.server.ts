import { asc, inArray } from 'drizzle-orm';
import type { PageServerLoad } from './$types';
import { loadBoard } from '$lib/server/live/board-page';
import { getRuntime } from '$lib/server/runtime';
import { listWarehouses } from '$lib/server/core/catalog';
import { tables, type Db } from '$lib/server/core/db';
import { alertsRouter } from '$lib/server/api/routers/alerts';
import { allowedActions } from '$lib/forms/permissions.server';
import { ROLES, type Role } from '../../../../schemas/api/roles';

/** Who may acknowledge or resolve: the roles of the alerts router's own procedures. */
function handlerRoles(): Role[] {
  return ROLES.filter((r) => Object.values(allowedActions(alertsRouter, r, ['acknowledge', 'resolve'])).some(Boolean));
}

/**
 * Names for "acknowledged by" / "resolved by": only people whose role can handle
 * alerts ever appear there, so those are all the page needs — including whoever
 * acknowledges one live after the page loaded.
 */
async function handlerNames(db: Db): Promise<Record<number, string>> {
  const rows = await db
    .select({ id: tables.users.id, name: tables.users.name })
    .from(tables.users)
    .where(inArray(tables.users.role, handlerRoles()))
    .orderBy(asc(tables.users.id));
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

export const load: PageServerLoad = async (event) => {
  // The network's alerts (a warehouse lead's room is forced to its warehouse and the network-wide ones).
  const page = await loadBoard(event, 'alerts', {});
  const user = page.user!;
  const { db } = getRuntime();
  const [warehouses, people] = await Promise.all([listWarehouses(db), handlerNames(db)]);
  return {
    ...page,
    user,
    warehouses: warehouses
      .filter((w) => user.warehouseId === null || w.id === user.warehouseId)
      .map((w) => ({ id: w.id, code: w.code, name: w.name })),
    people,
    may: allowedActions(alertsRouter, user.role, ['acknowledge', 'resolve'])
  };
};

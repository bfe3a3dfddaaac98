import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import type { BoardScope } from '../../../../../schemas/live';
import { requireScreen } from '$lib/server/auth/guard';
import { listRegions, listWarehouses } from '$lib/server/core/catalog';
import { loadBoard } from '$lib/server/live/board-page';
import { getRuntime } from '$lib/server/runtime';

/** ?warehouse=ID or ?region=ID; nothing is the whole network. */
function scopeOf(url: URL): BoardScope {
  const id = (name: string) => {
    const raw = url.searchParams.get(name);
    if (raw === null) return undefined;
    if (!/^[1-9]\d{0,9}$/.test(raw)) error(404, `No ${name} ${raw}`);
    return Number(raw);
  };
  // A warehouse implies its region: the drill-down link carries the warehouse only.
  const warehouseId = id('warehouse');
  if (warehouseId !== undefined) return { warehouseId };
  const regionId = id('region');
  return regionId !== undefined ? { regionId } : {};
}

export const load: PageServerLoad = async (event) => {
  requireScreen(event, 'executive');
  const db = getRuntime().db;
  const [regions, warehouses] = await Promise.all([listRegions(db), listWarehouses(db)]);
  const scope = scopeOf(event.url);
  if (scope.warehouseId !== undefined && !warehouses.some((w) => w.id === scope.warehouseId)) error(404, `No warehouse ${scope.warehouseId}`);
  if (scope.regionId !== undefined && !regions.some((r) => r.id === scope.regionId)) error(404, `No region ${scope.regionId}`);
  const board = await loadBoard(event, 'executive', scope);
  return {
    ...board,
    regions: regions.map((r) => ({ id: r.id, code: r.code, name: r.name })),
    warehouses: warehouses.map((w) => ({ id: w.id, code: w.code, name: w.name, regionId: w.regionId }))
  };
};

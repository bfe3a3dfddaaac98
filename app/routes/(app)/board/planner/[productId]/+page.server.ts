import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { DomainError } from '$lib/server/core/errors';
import { productDrilldown } from '$lib/server/planning/product-drilldown';
import { plannerRights } from '$lib/server/planning/rights';
import { getRuntime } from '$lib/server/runtime';

const positiveId = (text: string | null) => (text !== null && /^\d{1,9}$/.test(text) && Number(text) > 0 ? Number(text) : null);

/** One product across the network; `?warehouse=ID` focuses the projection and suggestion on one warehouse. */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'planner');
  const productId = positiveId(event.params.productId);
  if (productId === null) error(404, 'No such product.');
  const warehouse = event.url.searchParams.get('warehouse');
  const warehouseId = warehouse === null || warehouse === '' ? undefined : positiveId(warehouse);
  if (warehouseId === null) error(404, 'No such warehouse.');
  const { db, engines } = getRuntime();
  try {
    const drill = await productDrilldown(db, engines.clickhouse.client, productId, warehouseId);
    return { drill, rights: plannerRights(user.role) };
  } catch (err) {
    if (err instanceof DomainError && err.code === 'NOT_FOUND') error(404, err.message);
    throw err;
  }
};

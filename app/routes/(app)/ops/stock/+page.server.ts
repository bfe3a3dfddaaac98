import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';
import { getRuntime } from '$lib/server/runtime';
import { listProducts } from '$lib/server/core/catalog';
import { stockLevels } from '$lib/server/core/stock';
import { warehouseRefs } from '$lib/components/ops/refs.server';

/**
 * Stock lookup: ?sku= names the product (exactly, any case); anything else lists the
 * products it matches. Levels come from the core ledger (transactional truth).
 */
export const load: PageServerLoad = async (event) => {
  const user = requireScreen(event, 'stock');
  const { db } = getRuntime();
  const sku = (event.url.searchParams.get('sku') ?? '').trim().slice(0, 100);
  const warehouses = await warehouseRefs(db);
  const found = sku ? (await listProducts(db, { search: sku, limit: 20 })).items : [];
  const hit = found.find((p) => p.sku.toLowerCase() === sku.toLowerCase());
  const levels = hit ? await stockLevels(db, { productIds: [hit.id] }) : [];
  return {
    warehouses,
    sku,
    product: hit ? { id: hit.id, sku: hit.sku, name: hit.name, category: hit.category, abcClass: hit.abcClass, baseUnit: hit.baseUnit, active: hit.active } : null,
    matches: hit ? [] : found.map((p) => ({ id: p.id, sku: p.sku, name: p.name })),
    levels,
    homeWarehouseId: user.warehouseId
  };
};

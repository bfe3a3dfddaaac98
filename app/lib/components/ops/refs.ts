/** What the operations screens know of master data, and who may act where. */
export interface WarehouseRef {
  id: number;
  code: string;
  name: string;
  regionId: number;
}

export interface PickedProduct {
  id: number;
  sku: string;
  name: string;
}

/** "A · Central DC", or the id when the warehouse is unknown to the page. */
export function warehouseLabel(warehouses: readonly WarehouseRef[], id: number): string {
  const w = warehouses.find((x) => x.id === id);
  return w ? `${w.code} · ${w.name}` : `#${id}`;
}

/** A warehouse lead acts for its own warehouse only (the API refuses the others); everyone else anywhere. */
export function mayActAt(user: { warehouseId: number | null }, warehouseId: number): boolean {
  return user.warehouseId === null || user.warehouseId === warehouseId;
}

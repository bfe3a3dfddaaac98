import type { Tuple } from './pgoutput-decoder';

/**
 * The keys a batch touched, for the live hub to recompute only what changed:
 * tables, warehouses, products, sales orders, and the locations whose warehouse
 * the pipeline resolves before publishing.
 */
const WAREHOUSE_COLUMNS = new Set(['warehouse_id', 'from_warehouse_id', 'to_warehouse_id', 'source_warehouse_id']);
const LOCATION_COLUMNS = new Set(['location_id', 'from_location_id', 'to_location_id']);
const ORDER_TABLES = new Set(['sales_order_lines', 'shipments', 'invoices']);

export class TouchedKeys {
  readonly tables = new Set<string>();
  readonly warehouseIds = new Set<number>();
  readonly productIds = new Set<number>();
  readonly orderIds = new Set<number>();
  readonly locationIds = new Set<number>();
  /** Tables the batch deleted rows from (or truncated): facts keyed by their rows may have lost one. */
  readonly deletedTables = new Set<string>();

  addTable(table: string): void {
    this.tables.add(table);
  }

  addDeleted(table: string): void {
    this.tables.add(table);
    this.deletedTables.add(table);
  }

  addRow(table: string, names: string[], tuple: Tuple): void {
    this.tables.add(table);
    for (let i = 0; i < names.length; i++) {
      const v = tuple[i];
      if (typeof v !== 'string') continue;
      const name = names[i]!;
      if (WAREHOUSE_COLUMNS.has(name)) this.warehouseIds.add(Number(v));
      else if (LOCATION_COLUMNS.has(name)) this.locationIds.add(Number(v));
      else if (name === 'product_id') this.productIds.add(Number(v));
      else if (name === 'order_id' && ORDER_TABLES.has(table)) this.orderIds.add(Number(v));
      else if (name === 'id') {
        if (table === 'warehouses') this.warehouseIds.add(Number(v));
        else if (table === 'products') this.productIds.add(Number(v));
        else if (table === 'sales_orders') this.orderIds.add(Number(v));
      }
    }
  }
}

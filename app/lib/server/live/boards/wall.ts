import type { BoardScope } from '../../../../../schemas/live';
import { pickingQueueTile, receiptsDueTile, transfersTile } from '../../../../../schemas/boards/wall';
import type { BoardDefinition, TileDefinition } from './board';
import { coreAsOf } from './core-as-of';
import { unresolvedAlerts } from './alerts';
import { pickingQueue, receiptsDue, transfersInFlight } from './wall-queries';

/**
 * The warehouse wall screen: one warehouse's operational queues, read from the
 * core PostgreSQL (wall-queries.ts says why), so a change shows as soon as its
 * batch lands. The queues read only their warehouse (ownWarehouseOnly); the
 * alerts panel also shows network-wide alerts, so any alert batch moves it.
 */
function warehouseOf(scope: BoardScope): number {
  if (scope.warehouseId === undefined) throw new Error('the wall screen needs a warehouse');
  return scope.warehouseId;
}

const picking: TileDefinition = {
  name: 'picking',
  tables: ['sales_orders', 'sales_order_lines', 'shipments', 'shipment_lines'],
  ownWarehouseOnly: true,
  async compute({ db, now }, scope) {
    const asOf = await coreAsOf(db);
    return { data: pickingQueueTile.parse(await pickingQueue(db, warehouseOf(scope), now)), asOf };
  }
};

const receipts: TileDefinition = {
  name: 'receipts',
  tables: ['purchase_orders', 'purchase_order_lines', 'receipts'],
  ownWarehouseOnly: true,
  async compute({ db, now }, scope) {
    const asOf = await coreAsOf(db);
    return { data: receiptsDueTile.parse(await receiptsDue(db, warehouseOf(scope), now)), asOf };
  }
};

const transfers: TileDefinition = {
  name: 'transfers',
  tables: ['transfers', 'transfer_lines'],
  ownWarehouseOnly: true,
  async compute({ db, now }, scope) {
    const asOf = await coreAsOf(db);
    return { data: transfersTile.parse(await transfersInFlight(db, warehouseOf(scope), now)), asOf };
  }
};

const alerts: TileDefinition = {
  name: 'alerts',
  tables: ['alerts'],
  async compute({ db }, scope) {
    const asOf = await coreAsOf(db);
    return { data: await unresolvedAlerts(db, { warehouseId: warehouseOf(scope) }), asOf };
  }
};

export const wallBoard: BoardDefinition = {
  name: 'wall',
  tiles: [picking, receipts, transfers, alerts],
  validateScope: (scope) => (scope.warehouseId === undefined ? 'the wall screen shows one warehouse: name it' : null)
};

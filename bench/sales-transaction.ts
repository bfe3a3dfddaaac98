import { SYSTEM_ACTOR } from '../app/lib/server/core/actor';
import type { CoreDb } from '../app/lib/server/core/db';
import { confirmOrder, createOrder } from '../app/lib/server/core/orders';
import { ship } from '../app/lib/server/core/shipments';
import type { BenchNetwork } from './core-data';

export interface SalesOrder {
  id: number;
  warehouseId: number;
}

/**
 * One step of a bench client's sales flow, the same in every benchmark that drives it:
 * step 0 creates an order of 2 lines (transaction k of client w picks the customer,
 * warehouse and products), step 1 confirms it, step 2 ships it. Returns the order.
 */
export async function salesStep(db: CoreDb, net: BenchNetwork, k: number, w: number, step: number, order: SalesOrder | null): Promise<SalesOrder> {
  if (step === 0) {
    const warehouseId = net.warehouseIds[(k + w) % net.warehouseIds.length]!;
    const o = await createOrder(db, SYSTEM_ACTOR, {
      customerId: net.customerIds[k % net.customerIds.length]!,
      warehouseId,
      lines: [1, 2].map((l) => ({ productId: net.productIds[(k * 7 + l * 131) % net.productIds.length]!, qty: 1 + (k % 3) }))
    });
    return { id: o.id, warehouseId };
  }
  if (step === 1) await confirmOrder(db, SYSTEM_ACTOR, { orderId: order!.id });
  else await ship(db, SYSTEM_ACTOR, { orderId: order!.id });
  return order!;
}

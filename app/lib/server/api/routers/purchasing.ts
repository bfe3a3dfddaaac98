import {
  createPurchaseOrderInput,
  listPurchaseOrdersInput,
  purchaseOrderRef,
  receivePurchaseOrderInput,
  reorderInput
} from '../../../../../schemas/api/purchasing';
import {
  cancelPurchaseOrder,
  closePurchaseOrder,
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrders,
  sendPurchaseOrder
} from '../../core/purchasing';
import { receivePurchaseOrder } from '../../core/receipts';
import { runReorder, suggestions } from '../../core/reorder';
import { ALL_ROLES, allow, router } from '../trpc';

export const purchasingRouter = router({
  /** Runs the reorder rules of a warehouse: draft POs per supplier, transfer requests per source warehouse. */
  reorder: allow('planner', 'buyer', 'admin')
    .input(reorderInput)
    .mutation(({ ctx, input }) => runReorder(ctx.db, ctx.actor, input)),
  suggestions: allow('planner', 'buyer', 'admin')
    .input(reorderInput)
    .query(({ ctx, input }) => suggestions(ctx.db, input.warehouseId)),
  create: allow('buyer', 'admin')
    .input(createPurchaseOrderInput)
    .mutation(({ ctx, input }) => createPurchaseOrder(ctx.db, ctx.actor, input)),
  send: allow('buyer', 'admin')
    .input(purchaseOrderRef)
    .mutation(({ ctx, input }) => sendPurchaseOrder(ctx.db, ctx.actor, input)),
  receive: allow('warehouse', 'admin')
    .input(receivePurchaseOrderInput)
    .mutation(({ ctx, input }) => receivePurchaseOrder(ctx.db, ctx.actor, input)),
  close: allow('buyer', 'admin')
    .input(purchaseOrderRef)
    .mutation(({ ctx, input }) => closePurchaseOrder(ctx.db, ctx.actor, input)),
  cancel: allow('buyer', 'admin')
    .input(purchaseOrderRef)
    .mutation(({ ctx, input }) => cancelPurchaseOrder(ctx.db, ctx.actor, input)),
  get: allow(...ALL_ROLES)
    .input(purchaseOrderRef)
    .query(({ ctx, input }) => getPurchaseOrder(ctx.db, input.purchaseOrderId)),
  list: allow(...ALL_ROLES)
    .input(listPurchaseOrdersInput)
    .query(({ ctx, input }) => listPurchaseOrders(ctx.db, input))
});

import {
  cancelLineInput,
  createOrderInput,
  listOrdersInput,
  orderIdInput,
  packInput,
  payInput,
  pickInput,
  rejectOrderInput,
  shipInput
} from '../../../../../schemas/api/orders';
import { payInvoice } from '../../core/invoices';
import { APPROVER_ROLES } from '../../core/order-approval';
import { cancelOrder, cancelOrderLine } from '../../core/order-cancel';
import { approveOrder, confirmOrder, createOrder, getOrder, listOrders, rejectOrder } from '../../core/orders';
import { packShipment, pickOrder, ship } from '../../core/shipments';
import { ALL_ROLES, allow, router } from '../trpc';

const SALES = ['sales', 'admin'] as const;
const SHIPPING = ['warehouse', 'admin'] as const;

/** Sales orders, shipments, invoices and payments. */
export const ordersRouter = router({
  create: allow(...SALES)
    .input(createOrderInput)
    .mutation(({ ctx, input }) => createOrder(ctx.db, ctx.actor, input)),
  confirm: allow(...SALES)
    .input(orderIdInput)
    .mutation(({ ctx, input }) => confirmOrder(ctx.db, ctx.actor, input)),
  approve: allow(...APPROVER_ROLES)
    .input(orderIdInput)
    .mutation(({ ctx, input }) => approveOrder(ctx.db, ctx.actor, input)),
  reject: allow(...APPROVER_ROLES)
    .input(rejectOrderInput)
    .mutation(({ ctx, input }) => rejectOrder(ctx.db, ctx.actor, input)),
  cancel: allow(...SALES)
    .input(orderIdInput)
    .mutation(({ ctx, input }) => cancelOrder(ctx.db, ctx.actor, input)),
  cancelLine: allow(...SALES)
    .input(cancelLineInput)
    .mutation(({ ctx, input }) => cancelOrderLine(ctx.db, ctx.actor, input)),
  pick: allow(...SHIPPING)
    .input(pickInput)
    .mutation(({ ctx, input }) => pickOrder(ctx.db, ctx.actor, input)),
  pack: allow(...SHIPPING)
    .input(packInput)
    .mutation(({ ctx, input }) => packShipment(ctx.db, ctx.actor, input)),
  ship: allow(...SHIPPING)
    .input(shipInput)
    .mutation(({ ctx, input }) => ship(ctx.db, ctx.actor, input)),
  pay: allow('finance', 'admin')
    .input(payInput)
    .mutation(({ ctx, input }) => payInvoice(ctx.db, ctx.actor, input)),
  get: allow(...ALL_ROLES)
    .input(orderIdInput)
    .query(({ ctx, input }) => getOrder(ctx.db, input.orderId)),
  list: allow(...ALL_ROLES)
    .input(listOrdersInput)
    .query(({ ctx, input }) => listOrders(ctx.db, input))
});

import {
  listTransfersInput,
  receiveTransferInput,
  requestTransferInput,
  shipTransferInput,
  transferRef
} from '../../../../../schemas/api/transfers';
import {
  approveTransfer,
  cancelTransfer,
  getTransfer,
  listTransfers,
  receiveTransfer,
  requestTransfer,
  shipTransfer
} from '../../core/transfers';
import { ALL_ROLES, allow, router } from '../trpc';

export const transfersRouter = router({
  request: allow('planner', 'warehouse', 'admin')
    .input(requestTransferInput)
    .mutation(({ ctx, input }) => requestTransfer(ctx.db, ctx.actor, input)),
  approve: allow('planner', 'admin')
    .input(transferRef)
    .mutation(({ ctx, input }) => approveTransfer(ctx.db, ctx.actor, input)),
  ship: allow('warehouse', 'admin')
    .input(shipTransferInput)
    .mutation(({ ctx, input }) => shipTransfer(ctx.db, ctx.actor, input)),
  receive: allow('warehouse', 'admin')
    .input(receiveTransferInput)
    .mutation(({ ctx, input }) => receiveTransfer(ctx.db, ctx.actor, input)),
  cancel: allow('planner', 'admin')
    .input(transferRef)
    .mutation(({ ctx, input }) => cancelTransfer(ctx.db, ctx.actor, input)),
  get: allow(...ALL_ROLES)
    .input(transferRef)
    .query(({ ctx, input }) => getTransfer(ctx.db, input.transferId)),
  list: allow(...ALL_ROLES)
    .input(listTransfersInput)
    .query(({ ctx, input }) => listTransfers(ctx.db, input))
});

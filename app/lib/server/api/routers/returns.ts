import { createReturnInput, listReturnsInput, releaseHoldInput, returnIdInput } from '../../../../../schemas/api/returns';
import { releaseHold } from '../../core/quality';
import { createReturn, getReturn, listReturns } from '../../core/returns';
import { ALL_ROLES, allow, router } from '../trpc';

/**
 * Customer returns and quality-hold release. Cycle counts live in the stock
 * router (stock.count*), served by core/counts.ts.
 *
 * | procedure   | roles                       |
 * |-------------|-----------------------------|
 * | list, get   | all                         |
 * | create      | sales, warehouse, admin     |
 * | releaseHold | warehouse, planner, admin   |
 * Warehouse-scoped users act on their own warehouse only (the services check).
 */
export const returnsRouter = router({
  list: allow(...ALL_ROLES)
    .input(listReturnsInput)
    .query(({ ctx, input }) => listReturns(ctx.db, input)),
  get: allow(...ALL_ROLES)
    .input(returnIdInput)
    .query(({ ctx, input }) => getReturn(ctx.db, input.id)),
  create: allow('sales', 'warehouse', 'admin')
    .input(createReturnInput)
    .mutation(({ ctx, input }) => createReturn(ctx.db, ctx.actor, input)),
  releaseHold: allow('warehouse', 'planner', 'admin')
    .input(releaseHoldInput)
    .mutation(({ ctx, input }) => releaseHold(ctx.db, ctx.actor, input))
});

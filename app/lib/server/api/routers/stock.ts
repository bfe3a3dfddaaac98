import { countIdInput, countStockInput, listCountsInput } from '../../../../../schemas/api/counts';
import { atpInput, movesInput, stockLevelsInput } from '../../../../../schemas/api/stock';
import { availableToPromise } from '../../core/atp';
import { approveCount, countStock, getCount, listCounts, rejectCount } from '../../core/counts';
import { listMoves } from '../../core/moves';
import { stockLevels } from '../../core/stock';
import { ALL_ROLES, allow, router } from '../trpc';

export const stockRouter = router({
  levels: allow(...ALL_ROLES)
    .input(stockLevelsInput)
    .query(({ ctx, input }) => stockLevels(ctx.db, input)),
  atp: allow(...ALL_ROLES)
    .input(atpInput)
    .query(({ ctx, input }) => availableToPromise(ctx.db, input)),
  moves: allow(...ALL_ROLES)
    .input(movesInput)
    .query(({ ctx, input }) => listMoves(ctx.db, input)),
  /** A cycle count: posts at once within the variance threshold, else waits for approval. */
  count: allow('warehouse', 'admin')
    .input(countStockInput)
    .mutation(({ ctx, input }) => countStock(ctx.db, ctx.actor, input)),
  approveCount: allow('planner', 'admin')
    .input(countIdInput)
    .mutation(({ ctx, input }) => approveCount(ctx.db, ctx.actor, input)),
  rejectCount: allow('planner', 'admin')
    .input(countIdInput)
    .mutation(({ ctx, input }) => rejectCount(ctx.db, ctx.actor, input)),
  counts: allow(...ALL_ROLES)
    .input(listCountsInput)
    .query(({ ctx, input }) => listCounts(ctx.db, input)),
  getCount: allow(...ALL_ROLES)
    .input(countIdInput)
    .query(({ ctx, input }) => getCount(ctx.db, input.id))
});

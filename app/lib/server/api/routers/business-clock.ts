import { setBusinessClockInput } from '../../../../../schemas/api/business-clock';
import { CLOCK_ROLES, readBusinessClock, setBusinessClock } from '../../core/business-clock';
import { ALL_ROLES, allow, router } from '../trpc';

/** The business clock (core/business-clock.ts): everyone may read the business now; admins set it. */
export const businessClockRouter = router({
  get: allow(...ALL_ROLES).query(({ ctx }) => readBusinessClock(ctx.db)),
  set: allow(...CLOCK_ROLES)
    .input(setBusinessClockInput)
    .mutation(({ ctx, input }) => setBusinessClock(ctx.db, ctx.actor, input))
});

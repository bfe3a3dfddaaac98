import { createKioskInput, kioskIdInput, listKiosksInput } from '../../../../../schemas/api/kiosk';
import { createKioskToken, listKioskTokens, revokeKioskToken } from '../../auth/kiosk';
import { allow, router } from '../trpc';

/** Kiosk tokens for wall screens: admins for any warehouse, warehouse leads for their own. */
const MANAGERS = ['admin', 'warehouse'] as const;

export const kioskRouter = router({
  create: allow(...MANAGERS)
    .input(createKioskInput)
    .mutation(({ ctx, input }) => createKioskToken(ctx.db, ctx.actor, input)),
  revoke: allow(...MANAGERS)
    .input(kioskIdInput)
    .mutation(async ({ ctx, input }) => {
      const kiosk = await revokeKioskToken(ctx.db, ctx.actor, input);
      ctx.live?.kioskRevoked(kiosk.id);
      return kiosk;
    }),
  list: allow(...MANAGERS)
    .input(listKiosksInput)
    .query(({ ctx, input }) => listKioskTokens(ctx.db, ctx.actor, input))
});

import { alertRef, listAlertsInput, resolveAlertInput } from '../../../../../schemas/api/alerts';
import { acknowledgeAlert, getAlert, listAlerts, resolveAlert } from '../../core/alerts';
import { ALL_ROLES, allow, router } from '../trpc';

/** Alerts the detectors raise; people acknowledge and resolve them (warehouse leads only their warehouse's). */
const HANDLERS = ['admin', 'executive', 'planner', 'buyer', 'warehouse'] as const;

export const alertsRouter = router({
  list: allow(...ALL_ROLES)
    .input(listAlertsInput)
    .query(({ ctx, input }) => listAlerts(ctx.db, ctx.actor, input)),
  get: allow(...ALL_ROLES)
    .input(alertRef)
    .query(({ ctx, input }) => getAlert(ctx.db, ctx.actor, input)),
  acknowledge: allow(...HANDLERS)
    .input(alertRef)
    .mutation(({ ctx, input }) => acknowledgeAlert(ctx.db, ctx.actor, input)),
  resolve: allow(...HANDLERS)
    .input(resolveAlertInput)
    .mutation(({ ctx, input }) => resolveAlert(ctx.db, ctx.actor, input))
});

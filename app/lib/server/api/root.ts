import { alertsRouter } from './routers/alerts';
import { authRouter } from './routers/auth';
import { businessClockRouter } from './routers/business-clock';
import { kpiRouter } from './routers/kpi';
import { kioskRouter } from './routers/kiosk';
import { catalogRouter } from './routers/catalog';
import { ordersRouter } from './routers/orders';
import { purchasingRouter } from './routers/purchasing';
import { returnsRouter } from './routers/returns';
import { simRouter } from './routers/sim';
import { stockRouter } from './routers/stock';
import { transfersRouter } from './routers/transfers';
import { createCallerFactory, router } from './trpc';

/** The public API contract (docs/api.md). */
export const appRouter = router({
  auth: authRouter,
  catalog: catalogRouter,
  stock: stockRouter,
  orders: ordersRouter,
  purchasing: purchasingRouter,
  transfers: transfersRouter,
  returns: returnsRouter,
  kpi: kpiRouter,
  alerts: alertsRouter,
  kiosk: kioskRouter,
  sim: simRouter,
  businessClock: businessClockRouter
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);

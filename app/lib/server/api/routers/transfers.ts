import { router } from '../trpc';

export const transfersRouter = router({});

import { router } from '../trpc';

export const returnsRouter = router({});

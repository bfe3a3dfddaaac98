import { router } from '../trpc';

export const stockRouter = router({});

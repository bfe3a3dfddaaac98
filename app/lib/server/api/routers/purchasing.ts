import { router } from '../trpc';

export const purchasingRouter = router({});

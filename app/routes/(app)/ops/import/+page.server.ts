import type { PageServerLoad } from './$types';
import { requireScreen } from '$lib/server/auth/guard';

/** CSV import is the admin's (SCREENS.import): everyone else gets 403 here, as from catalog.import. */
export const load: PageServerLoad = (event) => {
  requireScreen(event, 'import');
  return {};
};

import type { PageServerLoad } from './$types';
import { getRuntime } from '$lib/server/runtime';
import { requireScreen } from '$lib/server/auth/guard';

/** The simulated network's scenarios (the demo): admins only. */
export const load: PageServerLoad = async (event) => {
  requireScreen(event, 'scenarios');
  const sim = getRuntime().sim;
  if (!sim) return { running: false as const };
  return { running: true as const, list: sim.list(), choices: sim.choices() };
};

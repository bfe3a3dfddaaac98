import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getRuntime } from '$lib/server/runtime';
import { homeOf } from '$lib/navigation';

/** The front door: a signed-in user goes to its board; anyone else sees the engines and a sign-in link. */
export const load: PageServerLoad = async ({ locals }) => {
  if (locals.user) redirect(303, homeOf(locals.user.role));
  const runtime = getRuntime();
  const health = await runtime.health();
  return {
    health,
    engines: {
      postgres: runtime.engines.postgres.embedded ? 'embedded PostgreSQL' : 'PostgreSQL server',
      clickhouse: runtime.engines.clickhouse.embedded ? 'chDB (in-process ClickHouse)' : 'ClickHouse server'
    },
    checkedAt: new Date().toISOString()
  };
};

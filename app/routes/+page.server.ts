import type { PageServerLoad } from './$types';
import { getRuntime } from '$lib/server/runtime';

export const load: PageServerLoad = async () => {
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

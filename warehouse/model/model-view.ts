import type { ClickHouseClient } from '@clickhouse/client';

/** One view of the analytical model: a name and the SELECT it stands for. */
export interface ModelView {
  name: string;
  select: string;
}

/** Creates or replaces the views, in order (a view may read one made before it). */
export async function createViews(ch: ClickHouseClient, views: readonly ModelView[]): Promise<void> {
  for (const v of views) await ch.command({ query: `CREATE OR REPLACE VIEW ${v.name} AS ${v.select}` });
}

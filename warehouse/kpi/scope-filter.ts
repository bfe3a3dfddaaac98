import type { KpiScope } from '../../schemas/api/kpi';

/**
 * The scope filters of a KPI as a WHERE fragment over the columns the caller
 * names, with its query parameters. A filter whose column the KPI does not have
 * is refused rather than ignored, so a board never shows unfiltered numbers
 * under a filtered title.
 */
export interface ScopeColumns {
  warehouse?: string;
  region?: string;
  category?: string;
  customer?: string;
}

export class UnsupportedFilterError extends Error {
  override name = 'UnsupportedFilterError';
}

export function scopeFilter(scope: KpiScope, columns: ScopeColumns, kpi: string): { sql: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (values: unknown[] | undefined, column: string | undefined, name: string, type: string, label: string) => {
    if (values === undefined) return;
    if (!column) throw new UnsupportedFilterError(`${kpi} cannot be filtered by ${label}`);
    parts.push(`${column} IN {${name}:Array(${type})}`);
    params[name] = values;
  };
  add(scope.warehouseIds, columns.warehouse, 'f_warehouses', 'Int64', 'warehouse');
  add(scope.regionIds, columns.region, 'f_regions', 'Int64', 'region');
  add(scope.categories, columns.category, 'f_categories', 'String', 'category');
  add(scope.customerIds, columns.customer, 'f_customers', 'Int64', 'customer');
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

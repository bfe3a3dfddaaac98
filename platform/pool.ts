import pg from 'pg';

/**
 * The PostgreSQL pool of the transactional core. Hot statements are named
 * prepared statements with array parameters; a generic plan keeps PostgreSQL
 * from re-planning them on every call (custom plans are tried first by default).
 */
export function createPool(url: string, max = 20): pg.Pool {
  return new pg.Pool({ connectionString: url, max, options: '-c plan_cache_mode=force_generic_plan' });
}

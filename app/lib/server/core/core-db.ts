import type { Runtime } from '../runtime';
import { createCoreDb, type CoreDb } from './db';

const cache = new WeakMap<Runtime, CoreDb>();

/** The Drizzle handle over the runtime's pool, one per runtime. */
export function coreDb(runtime: Runtime): CoreDb {
  let db = cache.get(runtime);
  if (!db) {
    db = createCoreDb(runtime.engines.pool);
    cache.set(runtime, db);
  }
  return db;
}

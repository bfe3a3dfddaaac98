import type pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as tables from '../../../../schemas/db/tables';

export type CoreDb = NodePgDatabase<typeof tables>;
/** A transaction handle: every service function that writes takes one. */
export type Tx = Parameters<Parameters<CoreDb['transaction']>[0]>[0];
/** Reads may run inside or outside a transaction. */
export type Db = CoreDb | Tx;

export function createCoreDb(pool: pg.Pool): CoreDb {
  return drizzle(pool, { schema: tables });
}

export { tables };

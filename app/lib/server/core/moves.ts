import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import { movesInput, type MovesInput } from '../../../../schemas/api/stock';
import type { Db } from './db';
import { tables } from './db';

const { stockMoves, locations } = tables;

/** The ledger, newest first: moves filtered by product, warehouse (either end) or document. */
export async function listMoves(db: Db, input: MovesInput) {
  const q = movesInput.parse(input);
  const where: SQL[] = [];
  if (q.productId) where.push(eq(stockMoves.productId, q.productId));
  if (q.documentType) where.push(eq(stockMoves.documentType, q.documentType));
  if (q.documentId) where.push(eq(stockMoves.documentId, q.documentId));
  if (q.beforeId) where.push(lt(stockMoves.id, q.beforeId));
  if (q.warehouseId) {
    const ids = db.select({ id: locations.id }).from(locations).where(eq(locations.warehouseId, q.warehouseId));
    where.push(or(inArray(stockMoves.fromLocationId, ids), inArray(stockMoves.toLocationId, ids))!);
  }
  return db
    .select()
    .from(stockMoves)
    .where(and(...where))
    .orderBy(desc(stockMoves.id))
    .limit(q.limit);
}

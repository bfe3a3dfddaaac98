import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from './actor';
import type { Tx } from './db';
import { tables } from './db';
import { conflict, notFound } from './errors';
import { businessNow } from '../../../../schemas/db/business-clock';

const { stockMoves, stockBalances } = tables;

export type DocumentType = (typeof tables.documentType.enumValues)[number];

export interface MoveInput {
  productId: number;
  qty: number;
  fromLocationId: number;
  toLocationId: number;
  documentType: DocumentType;
  documentId: number;
  documentLineId?: number | null;
  scheduledDate?: string | null;
}

export interface Delta {
  productId: number;
  locationId: number;
  onHand: number;
  reserved: number;
}

/**
 * Applies balance changes, creating balance rows on first use. Rows are touched
 * in (product, location) order so that concurrent transactions never deadlock.
 * The table's CHECK constraints refuse negative stock or over-reservation.
 */
export async function applyBalanceDeltas(tx: Tx, deltas: Delta[]): Promise<void> {
  const merged = new Map<string, Delta>();
  for (const d of deltas) {
    const key = `${d.productId}:${d.locationId}`;
    const m = merged.get(key);
    if (m) {
      m.onHand += d.onHand;
      m.reserved += d.reserved;
    } else merged.set(key, { ...d });
  }
  const rows = [...merged.values()]
    .filter((d) => d.onHand !== 0 || d.reserved !== 0)
    .sort((a, b) => a.productId - b.productId || a.locationId - b.locationId);
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map((d) => sql`(${d.productId}::int, ${d.locationId}::int, ${d.onHand}::int, ${d.reserved}::int)`),
    sql`, `
  );
  // PostgreSQL checks CHECK constraints on INSERT ... ON CONFLICT's proposed row
  // before it detects the conflict, so the deltas cannot travel in the proposed
  // row (a decrease or a reservation would always be refused). Missing rows are
  // created at zero first, then the rows are locked in key order and updated.
  await tx.execute(sql`
    INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual)
    SELECT v.product_id, v.location_id, 0, 0, l.kind NOT IN ('stock', 'quality_hold', 'damaged', 'transit')
    FROM (VALUES ${values}) AS v(product_id, location_id, on_hand, reserved)
    JOIN locations l ON l.id = v.location_id
    ORDER BY v.product_id, v.location_id
    ON CONFLICT (product_id, location_id) DO NOTHING`);
  await tx.execute(sql`
    UPDATE stock_balances b
    SET on_hand = b.on_hand + d.on_hand, reserved = b.reserved + d.reserved, updated_at = now()
    FROM (
      SELECT s.product_id, s.location_id, v.on_hand, v.reserved
      FROM stock_balances s
      JOIN (VALUES ${values}) AS v(product_id, location_id, on_hand, reserved)
        ON s.product_id = v.product_id AND s.location_id = v.location_id
      ORDER BY s.product_id, s.location_id
      FOR UPDATE OF s) d
    WHERE b.product_id = d.product_id AND b.location_id = d.location_id`);
}

export function doneDeltas(moves: Pick<MoveInput, 'productId' | 'qty' | 'fromLocationId' | 'toLocationId'>[]): Delta[] {
  return moves.flatMap((m) => [
    { productId: m.productId, locationId: m.fromLocationId, onHand: -m.qty, reserved: 0 },
    { productId: m.productId, locationId: m.toLocationId, onHand: m.qty, reserved: 0 }
  ]);
}

/** Posts moves that happen now (receipts, returns, counts, shipments of transfers). */
export async function postDoneMoves(tx: Tx, actor: Actor, moves: MoveInput[]): Promise<number[]> {
  if (moves.length === 0) return [];
  await applyBalanceDeltas(tx, doneDeltas(moves));
  const inserted = await tx
    .insert(stockMoves)
    .values(moves.map((m) => ({ ...m, state: 'done' as const, actorId: actor.userId, doneAt: businessNow })))
    .returning({ id: stockMoves.id });
  return inserted.map((r) => r.id);
}

/** Records scheduled moves (demand, inbound) that change no balance yet. */
export async function createOpenMoves(tx: Tx, actor: Actor, moves: (MoveInput & { state: 'confirmed' | 'reserved' })[]): Promise<number[]> {
  if (moves.length === 0) return [];
  const inserted = await tx
    .insert(stockMoves)
    .values(moves.map((m) => ({ ...m, actorId: actor.userId })))
    .returning({ id: stockMoves.id });
  return inserted.map((r) => r.id);
}

export type OpenMove = typeof stockMoves.$inferSelect;

async function lockOpenMove(tx: Tx, moveId: number): Promise<OpenMove> {
  const [move] = await tx.select().from(stockMoves).where(eq(stockMoves.id, moveId)).for('update');
  if (!move) throw conflict(`stock move ${moveId} does not exist`);
  if (move.state !== 'confirmed' && move.state !== 'reserved' && move.state !== 'draft') {
    throw conflict(`stock move ${moveId} is ${move.state}; only open moves can be completed or reduced`);
  }
  return move;
}

/**
 * Completes qty of an open move now. The whole move becomes done, or (partial) a
 * done move is split off and the open move keeps the rest, as a backorder does.
 * `toLocationId` sends the completed part elsewhere (rejected into quality hold).
 */
export async function completeOpenMove(tx: Tx, actor: Actor, moveId: number, qty: number, toLocationId?: number): Promise<number> {
  const move = await lockOpenMove(tx, moveId);
  if (qty <= 0 || qty > move.qty) throw conflict(`cannot complete ${qty} of stock move ${moveId}, which has ${move.qty} open`);
  const destination = toLocationId ?? move.toLocationId;
  if (qty === move.qty && destination === move.toLocationId) {
    await applyBalanceDeltas(tx, doneDeltas([move]));
    await tx.update(stockMoves).set({ state: 'done', doneAt: businessNow, actorId: actor.userId }).where(eq(stockMoves.id, moveId));
    return moveId;
  }
  await reduceOpenMove(tx, moveId, qty, move);
  const [id] = await postDoneMoves(tx, actor, [splitOff(move, qty, destination)]);
  return id!;
}

/** The done part of an open move completed in part (or elsewhere): same document and line, its own quantity and destination. */
export function splitOff(move: OpenMove, qty: number, toLocationId: number): MoveInput {
  return {
    productId: move.productId,
    qty,
    fromLocationId: move.fromLocationId,
    toLocationId,
    documentType: move.documentType,
    documentId: move.documentId,
    documentLineId: move.documentLineId,
    scheduledDate: move.scheduledDate
  };
}

/** Takes qty off an open move (cancelled or completed elsewhere); at zero the move is cancelled. */
export async function reduceOpenMove(tx: Tx, moveId: number, qty: number, locked?: OpenMove): Promise<void> {
  const move = locked ?? (await lockOpenMove(tx, moveId));
  if (qty <= 0 || qty > move.qty) throw conflict(`cannot take ${qty} off stock move ${moveId}, which has ${move.qty} open`);
  if (qty === move.qty) await tx.update(stockMoves).set({ state: 'cancelled' }).where(eq(stockMoves.id, moveId));
  else await tx.update(stockMoves).set({ qty: move.qty - qty }).where(eq(stockMoves.id, moveId));
}

/**
 * The open move a document line owns (one per line), if any is still open. The
 * states are literals so that the generic plan can use the partial index
 * stock_moves_document_line_idx (as parameters, it scans the whole ledger).
 */
export async function openMoveOf(tx: Tx, documentType: DocumentType, documentLineId: number): Promise<OpenMove | undefined> {
  const [move] = await tx
    .select()
    .from(stockMoves)
    .where(and(eq(stockMoves.documentType, documentType), eq(stockMoves.documentLineId, documentLineId), sql`${stockMoves.state} IN ('confirmed', 'reserved')`))
    .for('update');
  return move;
}

/**
 * A number for a document that has no table of its own (a quality release, an
 * opening-balance import): drawn from the stock-move id sequence, so it is unique
 * and groups the moves it caused (document_type + document_id).
 */
export async function newDocumentId(tx: Tx): Promise<number> {
  const r = await tx.execute<{ id: string }>(sql`SELECT nextval(pg_get_serial_sequence('stock_moves', 'id')) AS id`);
  return Number(r.rows[0]!.id);
}

/**
 * Locks a product's balance at a location (creating a zero row if there is none,
 * so that there is something to lock) and returns it.
 */
export async function lockBalance(tx: Tx, productId: number, locationId: number): Promise<{ onHand: number; reserved: number }> {
  await tx.execute(sql`
    INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual)
    SELECT ${productId}::int, l.id, 0, 0, l.kind NOT IN ('stock', 'quality_hold', 'damaged', 'transit')
    FROM locations l WHERE l.id = ${locationId}
    ON CONFLICT (product_id, location_id) DO NOTHING`);
  const r = await tx.execute<{ on_hand: number; reserved: number }>(sql`
    SELECT on_hand, reserved FROM stock_balances WHERE product_id = ${productId} AND location_id = ${locationId} FOR UPDATE`);
  const row = r.rows[0];
  if (!row) throw notFound('location', locationId);
  return { onHand: Number(row.on_hand), reserved: Number(row.reserved) };
}

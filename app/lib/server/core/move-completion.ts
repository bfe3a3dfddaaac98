import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from './actor';
import type { Tx } from './db';
import { tables } from './db';
import { conflict } from './errors';
import { applyBalanceDeltas, doneDeltas, splitOff, type Delta, type DocumentType, type MoveInput, type OpenMove } from './ledger';
import { businessNow } from '../../../../schemas/db/business-clock';

const { stockMoves } = tables;

/**
 * The open moves of many document lines, locked (FOR UPDATE, in id order) in one
 * statement: what openMoveOf finds for one line, by line id (the first by id if a
 * line had several). The states are literals and the line ids one array: the pool
 * plans generically (plan_cache_mode), and only then can the plan prove the partial
 * index stock_moves_document_line_idx applies (with the states as parameters it
 * scans the whole ledger).
 */
export async function lockOpenMovesOf(tx: Tx, documentType: DocumentType, documentLineIds: number[]): Promise<Map<number, OpenMove>> {
  if (documentLineIds.length === 0) return new Map();
  const moves = await tx
    .select()
    .from(stockMoves)
    .where(
      and(
        eq(stockMoves.documentType, documentType),
        sql`${stockMoves.documentLineId} = ANY(${sql.param(documentLineIds)}::bigint[])`,
        sql`${stockMoves.state} IN ('confirmed', 'reserved')`
      )
    )
    .orderBy(asc(stockMoves.id))
    .for('update');
  const byLine = new Map<number, OpenMove>();
  for (const m of moves) if (!byLine.has(m.documentLineId!)) byLine.set(m.documentLineId!, m);
  return byLine;
}

type NewMove = MoveInput & { state: 'done' | 'confirmed' | 'reserved' };

/**
 * The ledger changes of a whole document, planned in memory and written at the
 * end with a constant number of statements, however many lines the document has:
 * complete(), reduce(), postDone() and open() do what completeOpenMove,
 * reduceOpenMove, postDoneMoves and createOpenMoves do (same checks, same errors,
 * same resulting moves, new moves in the same order), on moves locked beforehand
 * (lockOpenMovesOf). write() then applies all balance changes at once
 * (applyBalanceDeltas), inserts the new moves in one INSERT and updates the open
 * moves that changed in one UPDATE.
 */
export class MoveBatch {
  /** The locked open moves as they will be written (copies: the caller's rows stay as they were read). */
  private readonly moves = new Map<number, OpenMove>();
  private readonly changed = new Set<number>();
  private readonly inserts: NewMove[] = [];
  private readonly deltas: Delta[] = [];

  constructor(
    private readonly actor: Actor,
    locked: Iterable<OpenMove>
  ) {
    for (const m of locked) this.moves.set(m.id, { ...m });
  }

  private openMove(moveId: number): OpenMove {
    const move = this.moves.get(moveId);
    if (!move) throw new Error(`stock move ${moveId} was not locked for this batch`);
    if (move.state !== 'confirmed' && move.state !== 'reserved' && move.state !== 'draft') {
      throw conflict(`stock move ${moveId} is ${move.state}; only open moves can be completed or reduced`);
    }
    return move;
  }

  /** completeOpenMove: qty of an open move happens now (all of it: the move itself is done; else a done move is split off). */
  complete(moveId: number, qty: number, toLocationId?: number): void {
    const move = this.openMove(moveId);
    if (qty <= 0 || qty > move.qty) throw conflict(`cannot complete ${qty} of stock move ${moveId}, which has ${move.qty} open`);
    const destination = toLocationId ?? move.toLocationId;
    if (qty === move.qty && destination === move.toLocationId) {
      this.deltas.push(...doneDeltas([move]));
      Object.assign(move, { state: 'done', actorId: this.actor.userId });
      this.changed.add(moveId);
      return;
    }
    this.reduce(moveId, qty);
    this.postDone([splitOff(move, qty, destination)]);
  }

  /** reduceOpenMove: qty off an open move; at zero the move is cancelled (keeping its last quantity). */
  reduce(moveId: number, qty: number): void {
    const move = this.openMove(moveId);
    if (qty <= 0 || qty > move.qty) throw conflict(`cannot take ${qty} off stock move ${moveId}, which has ${move.qty} open`);
    if (qty === move.qty) move.state = 'cancelled';
    else move.qty -= qty;
    this.changed.add(moveId);
  }

  /** postDoneMoves: moves that happen now. */
  postDone(moves: MoveInput[]): void {
    this.deltas.push(...doneDeltas(moves));
    this.inserts.push(...moves.map((m) => ({ ...m, state: 'done' as const })));
  }

  /** createOpenMoves: scheduled moves that change no balance yet. */
  open(moves: (MoveInput & { state: 'confirmed' | 'reserved' })[]): void {
    this.inserts.push(...moves);
  }

  async write(tx: Tx): Promise<void> {
    await applyBalanceDeltas(tx, this.deltas);
    if (this.inserts.length) {
      await tx.insert(stockMoves).values(
        this.inserts.map((m) => ({
          ...m,
          documentLineId: m.documentLineId ?? null,
          scheduledDate: m.scheduledDate ?? null,
          actorId: this.actor.userId,
          doneAt: m.state === 'done' ? businessNow : null
        }))
      );
    }
    const changed = [...this.changed].sort((a, b) => a - b).map((id) => this.moves.get(id)!);
    if (changed.length === 0) return;
    // Fixed text with array parameters, whatever the number of moves.
    await tx.execute(sql`
      UPDATE stock_moves m
      SET state = v.state, qty = v.qty, actor_id = v.actor_id,
          done_at = CASE WHEN v.state = 'done' THEN business_now() END
      FROM unnest(${sql.param(changed.map((c) => c.id))}::bigint[], ${sql.param(changed.map((c) => c.state))}::move_state[],
                  ${sql.param(changed.map((c) => c.qty))}::int[], ${sql.param(changed.map((c) => c.actorId))}::int[])
        AS v(id, state, qty, actor_id)
      WHERE m.id = v.id`);
  }
}

import { sql } from 'drizzle-orm';
import type { Actor } from './actor';
import type { CoreDb, Tx } from './db';
import { DomainError, conflict, invalid } from './errors';

/** Serialization failures and deadlocks are retried: the transaction is replayed whole. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  message: string;
}

function pgError(err: unknown): PgError | undefined {
  const e = (err as { cause?: unknown })?.cause ?? err; // drizzle wraps driver errors
  return typeof (e as PgError)?.code === 'string' ? (e as PgError) : undefined;
}

/** Turns a constraint the database enforced into an error a person understands. */
export function translatePgError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  const e = pgError(err);
  if (!e) return err;
  switch (e.code) {
    case '23505':
      return conflict(`already exists (${e.constraint ?? 'unique key'})${e.detail ? `: ${e.detail}` : ''}`);
    case '23503':
      return invalid(`refers to something that does not exist (${e.constraint ?? 'foreign key'})${e.detail ? `: ${e.detail}` : ''}`);
    case '23514':
      if (e.constraint === 'stock_balances_on_hand') return conflict('not enough stock on hand for this move');
      if (e.constraint === 'stock_balances_reserved') return conflict('the move would take stock that is reserved for other orders');
      return conflict(`refused by rule ${e.constraint ?? 'check'}`);
    case 'P0001':
      return conflict(e.message);
    case '22P02':
    case '22003':
      return invalid(e.message);
    default:
      return err;
  }
}

/**
 * Runs one business transaction: all of it or nothing. The actor and action are
 * emitted into the WAL in the same transaction (pg_logical_emit_message), so the
 * CDC ingest attaches them to every change it carries.
 */
export async function transact<T>(db: CoreDb, actor: Actor, action: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  const audit = JSON.stringify({ actorId: actor.userId, role: actor.role, actor: actor.name, action });
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_logical_emit_message(true, 'opstower.audit', ${audit})`);
        return work(tx);
      });
    } catch (err) {
      const code = pgError(err)?.code;
      if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** attempt));
        continue;
      }
      throw translatePgError(err);
    }
  }
}

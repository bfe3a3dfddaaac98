import { NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres';
import pg from 'pg';
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

/** The parts of drizzle's node-postgres session that a transaction is built from. */
interface SessionParts {
  client: pg.Pool | pg.PoolClient | pg.Client;
  dialect: ConstructorParameters<typeof NodePgTransaction>[0];
  schema: ConstructorParameters<typeof NodePgTransaction>[2];
  options: ConstructorParameters<typeof NodePgSession>[3];
}

/**
 * db.transaction(), but BEGIN and the audit message travel in one round trip (a
 * simple-protocol query of two statements); drizzle's own session and
 * transaction classes then run the work on that connection.
 */
async function runTransaction<T>(db: CoreDb, audit: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  const parts = db._.session as unknown as SessionParts;
  const pooled = parts.client instanceof pg.Pool;
  const client = pooled ? await (parts.client as pg.Pool).connect() : (parts.client as pg.Client);
  const session = new NodePgSession(client, parts.dialect, parts.schema, parts.options);
  const tx = new NodePgTransaction(parts.dialect, session, parts.schema) as unknown as Tx;
  let broken: Error | undefined;
  let begun = false;
  try {
    await client.query(`BEGIN; SELECT pg_logical_emit_message(true, 'opstower.audit', ${client.escapeLiteral(audit)})`);
    begun = true;
    const result = await work(tx);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A connection whose ROLLBACK fails is in an unknown state: the pool drops it.
    if (begun) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    else broken = err as Error;
    throw err;
  } finally {
    if (pooled) (client as pg.PoolClient).release(broken);
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
      return await runTransaction(db, audit, work);
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

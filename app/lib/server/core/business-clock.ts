import { sql } from 'drizzle-orm';
import { setBusinessClockInput, type BusinessClockOutput, type SetBusinessClockInput } from '../../../../schemas/api/business-clock';
import type { Actor } from './actor';
import type { CoreDb, Db, Tx } from './db';
import { conflict, forbidden } from './errors';
import { transact } from './transaction';

/**
 * The business clock (schemas/db/business-clock.ts): the instant the core dates
 * documents at. Services date with business_now() in SQL; readers outside a
 * transaction ask `readBusinessNow`, or `BusinessClockReader` when they ask often (the boards).
 */

/** Roles that may set the business clock: it re-dates everything written from then on. */
export const CLOCK_ROLES = ['admin'] as const;

interface ClockRow extends Record<string, unknown> {
  now: string;
  rate: number | null;
  anchor_wall: string | null;
  anchor_business: string | null;
}

const READ_SQL = sql`
  SELECT to_char(business_now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now, c.rate,
         to_char(c.anchor_wall AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS anchor_wall,
         to_char(c.anchor_business AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS anchor_business
  FROM (SELECT 1) one LEFT JOIN business_clock c ON c.id`;

async function readRow(db: Db): Promise<ClockRow> {
  const { rows } = await db.execute<ClockRow>(READ_SQL);
  return rows[0]!;
}

const outputOf = (row: ClockRow): BusinessClockOutput => ({ now: row.now, rate: row.rate ?? 1, set: row.rate !== null });

/** The business instant now. */
export async function readBusinessNow(db: Db): Promise<Date> {
  return new Date((await readRow(db)).now);
}

/** The business instant now, and the clock's rate. */
export async function readBusinessClock(db: Db): Promise<BusinessClockOutput> {
  return outputOf(await readRow(db));
}

async function writeClock(tx: Tx, actor: Actor, at: Date | null, rate: number): Promise<void> {
  await tx.execute(sql`
    INSERT INTO business_clock (id, anchor_wall, anchor_business, rate, set_by, set_at)
    VALUES (true, now(), coalesce(${at?.toISOString() ?? null}::timestamptz, business_now()), ${rate}, ${actor.userId}, now())
    ON CONFLICT (id) DO UPDATE SET anchor_wall = excluded.anchor_wall, anchor_business = excluded.anchor_business,
      rate = excluded.rate, set_by = excluded.set_by, set_at = excluded.set_at`);
}

/**
 * Sets the business clock (an admin running a demo or a training copy): from the
 * instant `at` (default: the business now) it runs at `rate`. It never goes
 * backwards: documents already dated stay in order.
 */
export async function setBusinessClock(db: CoreDb, actor: Actor, input: SetBusinessClockInput): Promise<BusinessClockOutput> {
  const data = setBusinessClockInput.parse(input);
  if (actor.role !== 'system' && !(CLOCK_ROLES as readonly string[]).includes(actor.role)) {
    throw forbidden(`role ${actor.role} may not set the business clock; it is set by: ${CLOCK_ROLES.join(', ')}`);
  }
  return transact(db, actor, 'business-clock.set', async (tx) => {
    // One setter at a time (readers are not blocked): the check below stays true until commit.
    await tx.execute(sql`LOCK TABLE business_clock IN EXCLUSIVE MODE`);
    const current = await readRow(tx);
    if (data.at && data.at.getTime() < Date.parse(current.now)) {
      throw conflict(`the business clock shows ${current.now}; it does not go back to ${data.at.toISOString()}`);
    }
    await writeClock(tx, actor, data.at ?? null, data.rate);
    return outputOf(await readRow(tx));
  });
}

/**
 * The simulator's clock sync: the business clock shows the simulated instant `at`
 * and runs at `rate` (0 for a manual clock, which moves by steps). Unlike
 * setBusinessClock it may go back: a simulation owns its database's timeline and
 * may replay a past period.
 */
export async function followSimulatedClock(db: CoreDb, actor: Actor, at: number, rate: number): Promise<void> {
  const data = setBusinessClockInput.parse({ at: new Date(at), rate });
  await transact(db, actor, 'business-clock.follow', (tx) => writeClock(tx, actor, data.at ?? null, data.rate));
}

/** Where a clock anchored at (wall, business) and running at `rate` stands at the wall instant `wallNow`: business_now() in TypeScript. */
export const businessInstantAt = (anchor: { wall: number; business: number; rate: number }, wallNow: number) => anchor.business + (wallNow - anchor.wall) * anchor.rate;

/**
 * The business now for readers that run often (board tiles): the
 * clock's anchor is read at most every `ttlMs` and the instant computed locally
 * from it (one query per interval, not per tile).
 */
export class BusinessClockReader {
  #anchor: { wall: number; business: number; rate: number } | null = null;
  #readAt = -Infinity;
  #pending: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 1_000
  ) {}

  async now(): Promise<Date> {
    if (Date.now() - this.#readAt >= this.ttlMs) await (this.#pending ??= this.#refresh().finally(() => (this.#pending = null)));
    const a = this.#anchor;
    return a ? new Date(businessInstantAt(a, Date.now())) : new Date();
  }

  async #refresh(): Promise<void> {
    const row = await readRow(this.db);
    this.#anchor =
      row.rate === null || row.anchor_wall === null || row.anchor_business === null
        ? null
        : { wall: Date.parse(row.anchor_wall), business: Date.parse(row.anchor_business), rate: row.rate };
    this.#readAt = Date.now();
  }
}

import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import { tables } from '../../app/lib/server/core/db';
import { DomainError } from '../../app/lib/server/core/errors';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { completeOpenMove, createOpenMoves, postDoneMoves } from '../../app/lib/server/core/ledger';
import { transact } from '../../app/lib/server/core/transaction';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
});

const balance = async (productId: number, locationId: number) =>
  (await f.db.select().from(tables.stockBalances).where(sql`product_id = ${productId} AND location_id = ${locationId}`))[0];

describe('stock ledger', () => {
  it('keeps balances equal to the done moves', async () => {
    const p = f.products[0]!.id;
    await f.stockUp(f.locA, p, 40);
    expect((await balance(p, f.locA.stock))?.onHand).toBe(40);
    expect((await balance(p, f.locA.adjustment))?.onHand).toBe(-40);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('refuses a move that would take stock below zero, and leaves nothing behind', async () => {
    const p = f.products[1]!.id;
    const before = await f.db.$count(tables.stockMoves);
    const err = await transact(f.db, SYSTEM_ACTOR, 'test.overdraw', (tx) =>
      postDoneMoves(tx, SYSTEM_ACTOR, [{ productId: p, qty: 5, fromLocationId: f.locA.stock, toLocationId: f.locA.customer, documentType: 'opening_balance', documentId: 0 }])
    ).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('CONFLICT');
    expect((err as DomainError).message).toMatch(/not enough stock/);
    expect(await f.db.$count(tables.stockMoves)).toBe(before);
    expect(await balance(p, f.locA.stock)).toBeUndefined();
  });

  it('never lets a done move change or disappear', async () => {
    const [move] = await f.db.select().from(tables.stockMoves).where(eq(tables.stockMoves.state, 'done')).limit(1);
    await expect(f.db.update(tables.stockMoves).set({ qty: 1 }).where(eq(tables.stockMoves.id, move!.id))).rejects.toThrow();
    await expect(f.db.delete(tables.stockMoves).where(eq(tables.stockMoves.id, move!.id))).rejects.toThrow();
  });

  it('splits an open move when part of it is completed', async () => {
    const p = f.products[2]!.id;
    const [id] = await transact(f.db, SYSTEM_ACTOR, 'test.open', (tx) =>
      createOpenMoves(tx, SYSTEM_ACTOR, [{ productId: p, qty: 10, fromLocationId: f.locA.supplier, toLocationId: f.locA.stock, documentType: 'purchase_order', documentId: 1, state: 'confirmed' }])
    );
    await transact(f.db, SYSTEM_ACTOR, 'test.part', (tx) => completeOpenMove(tx, SYSTEM_ACTOR, id!, 4));
    const moves = await f.db.select().from(tables.stockMoves).where(eq(tables.stockMoves.productId, p));
    expect(moves.map((m) => [m.state, m.qty]).sort()).toEqual([['confirmed', 6], ['done', 4]]);
    expect((await balance(p, f.locA.stock))?.onHand).toBe(4);
    await transact(f.db, SYSTEM_ACTOR, 'test.rest', (tx) => completeOpenMove(tx, SYSTEM_ACTOR, id!, 6));
    expect((await balance(p, f.locA.stock))?.onHand).toBe(10);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });
});

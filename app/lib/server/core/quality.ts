import { sql } from 'drizzle-orm';
import { releaseHoldInput, type HoldRelease, type ReleaseHoldInput } from '../../../../schemas/api/returns';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Tx } from './db';
import { conflict, notFound } from './errors';
import { postDoneMoves } from './ledger';
import { warehouseLocations } from './locations';
import { allocate } from './reservation';
import { transact } from './transaction';

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

/**
 * Takes stock out of quality hold: back into stock (release; backorders get it
 * at once) or to scrap. More than is held is refused.
 */
export async function releaseHold(db: CoreDb, actor: Actor, input: ReleaseHoldInput): Promise<HoldRelease> {
  const data = releaseHoldInput.parse(input);
  assertWarehouseScope(actor, data.warehouseId);
  return transact(db, actor, `returns.releaseHold.${data.action}`, async (tx) => {
    const loc = await warehouseLocations(tx, data.warehouseId);
    const [product] = (await tx.execute<{ id: number }>(sql`SELECT id FROM products WHERE id = ${data.productId}`)).rows;
    if (!product) throw notFound('product', data.productId);
    const held = await lockBalance(tx, data.productId, loc.quality_hold);
    if (data.qty > held.onHand) {
      throw conflict(`cannot ${data.action} ${data.qty}: only ${held.onHand} of product ${data.productId} is in quality hold at warehouse ${data.warehouseId}`);
    }
    const documentId = await newDocumentId(tx);
    await postDoneMoves(tx, actor, [
      {
        productId: data.productId,
        qty: data.qty,
        fromLocationId: loc.quality_hold,
        toLocationId: data.action === 'release' ? loc.stock : loc.scrap,
        documentType: 'quality_release',
        documentId
      }
    ]);
    if (data.action === 'release') await allocate(tx, data.warehouseId, [data.productId]);
    return { documentId, ...data, heldAfter: held.onHand - data.qty };
  });
}

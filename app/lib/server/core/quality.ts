import { sql } from 'drizzle-orm';
import { releaseHoldInput, type HoldRelease, type ReleaseHoldInput } from '../../../../schemas/api/returns';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb } from './db';
import { conflict, notFound } from './errors';
import { lockBalance, newDocumentId, postDoneMoves } from './ledger';
import { warehouseLocations } from './locations';
import { allocate } from './reservation';
import { transact } from './transaction';

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

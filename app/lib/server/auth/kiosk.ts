import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { createKioskInput, kioskIdInput, listKiosksInput, type CreateKioskInput, type KioskToken } from '../../../../schemas/api/kiosk';
import { assertWarehouseScope, type Actor } from '../core/actor';
import type { CoreDb } from '../core/db';
import { tables } from '../core/db';
import { notFound, conflict } from '../core/errors';
import { transact } from '../core/transaction';

const { kioskTokens, warehouses } = tables;

/** A kiosk token reads one warehouse's wall screen and nothing else. */
export interface Kiosk {
  id: number;
  warehouseId: number;
}

/** A wall screen opened with ?kiosk=TOKEN keeps the token in this httpOnly cookie (pages and the socket read it). */
export const KIOSK_COOKIE = 'opstower_kiosk';

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

function view(row: typeof kioskTokens.$inferSelect): KioskToken {
  return {
    id: row.id,
    warehouseId: row.warehouseId,
    label: row.label,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null
  };
}

/** Creates a token for one warehouse's wall screen; the token itself is shown once, here. */
export async function createKioskToken(db: CoreDb, actor: Actor, input: CreateKioskInput): Promise<{ token: string; kiosk: KioskToken }> {
  const data = createKioskInput.parse(input);
  assertWarehouseScope(actor, data.warehouseId);
  if (actor.userId === null) throw conflict('a kiosk token is created by a person');
  const token = randomBytes(32).toString('base64url');
  return transact(db, actor, 'kiosk.create', async (tx) => {
    const [wh] = await tx.select({ id: warehouses.id }).from(warehouses).where(eq(warehouses.id, data.warehouseId));
    if (!wh) throw notFound('warehouse', data.warehouseId);
    const [row] = await tx
      .insert(kioskTokens)
      .values({ tokenHash: tokenHash(token), warehouseId: data.warehouseId, label: data.label, createdBy: actor.userId! })
      .returning();
    return { token, kiosk: view(row!) };
  });
}

/** Revokes a token; screens using it are disconnected by the caller (the live hub). */
export async function revokeKioskToken(db: CoreDb, actor: Actor, input: { id: number }): Promise<KioskToken> {
  const { id } = kioskIdInput.parse(input);
  return transact(db, actor, 'kiosk.revoke', async (tx) => {
    const [row] = await tx.select().from(kioskTokens).where(eq(kioskTokens.id, id)).for('update');
    if (!row) throw notFound('kiosk token', id);
    assertWarehouseScope(actor, row.warehouseId);
    if (row.revokedAt) return view(row);
    const [done] = await tx
      .update(kioskTokens)
      .set({ revokedAt: new Date(), revokedBy: actor.userId })
      .where(eq(kioskTokens.id, id))
      .returning();
    return view(done!);
  });
}

export async function listKioskTokens(db: CoreDb, actor: Actor, input: { warehouseId?: number } = {}): Promise<KioskToken[]> {
  const { warehouseId } = listKiosksInput.parse(input);
  const scope = actor.warehouseId ?? warehouseId;
  const rows = await db
    .select()
    .from(kioskTokens)
    .where(scope === undefined ? undefined : eq(kioskTokens.warehouseId, scope))
    .orderBy(desc(kioskTokens.createdAt));
  return rows.map(view);
}

/** The kiosk a token opens, or null when it is unknown or revoked. Records when it was last seen. */
export async function kioskOf(db: CoreDb, token: string | null | undefined): Promise<Kiosk | null> {
  if (!token || token.length > 200) return null;
  const [row] = await db
    .update(kioskTokens)
    .set({ lastSeenAt: sql`now()` })
    .where(and(eq(kioskTokens.tokenHash, tokenHash(token)), isNull(kioskTokens.revokedAt)))
    .returning({ id: kioskTokens.id, warehouseId: kioskTokens.warehouseId });
  return row ?? null;
}

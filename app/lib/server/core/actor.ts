import type { Role } from '../../../../schemas/api/roles';
import { DomainError } from './errors';

/** Who performs a business transaction; recorded on documents and emitted into the WAL. */
export interface Actor {
  userId: number | null;
  role: Role | 'system';
  /** Set for warehouse-scoped users: they act on this warehouse only. */
  warehouseId: number | null;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { userId: null, role: 'system', warehouseId: null, name: 'system' };

/** Warehouse-scoped users (a warehouse lead) act on their own warehouse only. */
export function assertWarehouseScope(actor: Actor, warehouseId: number): void {
  if (actor.warehouseId !== null && actor.warehouseId !== warehouseId) {
    throw new DomainError('FORBIDDEN', `you act for warehouse ${actor.warehouseId} only, not warehouse ${warehouseId}`);
  }
}

import type { BoardScope } from '../../../../../schemas/live';
import type { UnresolvedAlertsTile } from '../../../../../schemas/boards/alerts';
import { listAlerts } from '../../core/alerts';
import { SYSTEM_ACTOR } from '../../core/actor';
import type { CoreDb } from '../../core/db';
import type { BoardDefinition, TileDefinition } from './board';
import { coreAsOf } from './core-as-of';

const LIMIT = 200;

/** Unresolved alerts of a scope, read from the core (a warehouse's include the network-wide ones, as in the API). */
export async function unresolvedAlerts(db: CoreDb, scope: BoardScope): Promise<UnresolvedAlertsTile> {
  const actor = { ...SYSTEM_ACTOR, warehouseId: scope.warehouseId ?? null };
  const alerts = await listAlerts(db, actor, { state: ['open', 'acknowledged'], limit: LIMIT });
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const a of alerts) counts[a.severity] += 1;
  return { alerts, counts };
}

/** Alerts change in the core and reach boards through the CDC: the tile follows the `alerts` table. */
export const unresolvedAlertsTile: TileDefinition = {
  name: 'unresolved',
  tables: ['alerts'],
  async compute({ db }, scope) {
    const asOf = await coreAsOf(db);
    return { data: await unresolvedAlerts(db, scope), asOf };
  }
};

export const alertsBoard: BoardDefinition = { name: 'alerts', tiles: [unresolvedAlertsTile] };

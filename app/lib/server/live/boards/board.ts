import type { ClickHouseClient } from '@clickhouse/client';
import type { SessionUser } from '../../../../../schemas/api/auth';
import type { KpiAsOf } from '../../../../../schemas/api/kpi';
import type { BoardName, BoardScope } from '../../../../../schemas/live';
import type { Kiosk } from '../../auth/kiosk';
import type { CoreDb } from '../../core/db';

/** Who watches a board: a signed-in person, or a wall screen opened with a kiosk token. */
export type Viewer = { kind: 'user'; user: SessionUser } | { kind: 'kiosk'; kiosk: Kiosk };

export interface TileContext {
  ch: ClickHouseClient;
  db: CoreDb;
  now: Date;
}

export interface TileValue {
  data: unknown;
  /** The ledger point the data reflects (a KPI's asOf). */
  asOf: KpiAsOf;
}

/**
 * One tile of a board: what it reads and how to compute it for a room's scope.
 * `tables` are the core tables whose landed changes can move it: a landed batch
 * recomputes only the tiles whose tables it touched.
 */
export interface TileDefinition {
  name: string;
  tables: readonly string[];
  /** The tile reads only its room's warehouse: batches about other warehouses leave it alone. */
  ownWarehouseOnly?: boolean;
  /**
   * At most one computation per this many ms (beyond the room's own bound): for
   * costly tiles whose numbers need not follow every batch, so that the room's
   * headline tiles are recomputed sooner. The tile still says how fresh it is.
   */
  minIntervalMs?: number;
  compute(ctx: TileContext, scope: BoardScope): Promise<TileValue>;
}

export interface BoardDefinition {
  name: BoardName;
  tiles: readonly TileDefinition[];
  /** Checks the scope itself (beyond roles), e.g. the wall screen needs a warehouse. */
  validateScope?(scope: BoardScope): string | null;
}

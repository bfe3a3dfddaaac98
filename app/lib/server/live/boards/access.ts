import { SCREENS } from '../../../navigation';
import type { BoardName, BoardScope } from '../../../../../schemas/live';
import type { Viewer } from './board';

/**
 * Whether a viewer may watch a board at a scope: the same roles as the board's
 * page; a warehouse-scoped person only its own warehouse; a kiosk token only its
 * warehouse's wall screen. Returns the scope to use, or the reason for refusal.
 */
export function authorizeBoard(viewer: Viewer, board: BoardName, scope: BoardScope): { scope: BoardScope } | { error: string } {
  if (viewer.kind === 'kiosk') {
    if (board !== 'wall') return { error: `a kiosk token opens the wall screen only, not the ${board} board` };
    if (scope.warehouseId !== viewer.kiosk.warehouseId) return { error: `this kiosk token is for warehouse ${viewer.kiosk.warehouseId}` };
    return { scope: { warehouseId: viewer.kiosk.warehouseId } };
  }
  const { user } = viewer;
  const roles: readonly string[] = SCREENS[board].roles;
  if (!roles.includes(user.role)) return { error: `the ${board} board is not open to the ${user.role} role` };
  if (user.warehouseId !== null) {
    if (scope.warehouseId !== undefined && scope.warehouseId !== user.warehouseId) return { error: `you watch warehouse ${user.warehouseId} only` };
    return { scope: { warehouseId: user.warehouseId } };
  }
  return { scope };
}

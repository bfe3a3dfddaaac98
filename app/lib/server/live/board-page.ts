import { error, type RequestEvent } from '@sveltejs/kit';
import type { BoardName, BoardScope, TileEvent } from '../../../../schemas/live';
import type { SessionUser } from '../../../../schemas/api/auth';
import { requireScreen } from '../auth/guard';
import { getRuntime } from '../runtime';
import { authorizeBoard } from './boards/access';
import type { Viewer } from './boards/board';

export interface BoardPage {
  user: SessionUser | null;
  board: BoardName;
  scope: BoardScope;
  /** The tiles for the first paint; the screen then follows the board's room live. */
  tiles: Record<string, TileEvent>;
}

/** A board page's load: the viewer's right to the board at this scope, and its current tiles. */
export async function loadBoard(event: Pick<RequestEvent, 'locals' | 'url'>, board: BoardName, scope: BoardScope, viewer?: Viewer): Promise<BoardPage> {
  const user = viewer ? null : requireScreen(event, board);
  const allowed = authorizeBoard(viewer ?? { kind: 'user', user: user! }, board, scope);
  if ('error' in allowed) error(403, allowed.error);
  const { rooms } = getRuntime();
  const scopeError = rooms.scopeError(board, allowed.scope);
  if (scopeError) error(400, scopeError);
  const tiles = await rooms.snapshot(board, allowed.scope);
  return { user, board, scope: allowed.scope, tiles };
}

import type { PageServerLoad } from './$types';
import { loadBoard } from '$lib/server/live/board-page';

/** The planner's stock-at-risk table: the board's network-wide room, server-rendered first. */
export const load: PageServerLoad = (event) => loadBoard(event, 'planner', {});
